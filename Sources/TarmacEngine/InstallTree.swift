/// A directory this install makes, whose parent it does not make: it is built whole,
/// directories, files and links, in a stage next to it and renamed into place at once.
/// When it was the previous install's (`mayExist`), it may have survived that install's
/// removal, holding files tarmac did not write; the program then places its files directory
/// by directory instead (`fallback`). A first install of a
/// 2,500-file tree is then a handful of processes, not some per directory.
///
/// Only when every file below it comes from one directory of the revision (`sourceRoot`),
/// so one `tar` copies them all; otherwise its directories go the usual way.
struct InstallTree: Equatable {
    /// The directory, and its `makeDirectory` step.
    var root: String
    var index: Int
    /// Directories made below it, in plan order (relative, without the root itself).
    var directories: [String] = []
    /// Files, relative to the root and to `sourceRoot`, with their modes.
    var files: [(index: Int, relative: String, mode: UInt32)] = []
    var links: [(index: Int, relative: String, target: String)] = []
    /// The revision directory the files come from ("" for the revision's root).
    var sourceRoot: String?
    /// Every plan step the tree carries out.
    var steps: Set<Int> = []
    /// The previous install made it too.
    var mayExist = false

    /// Every plan step one of `trees` carries out.
    static func steps(_ trees: [InstallTree]) -> Set<Int> {
        trees.reduce(into: Set<Int>()) { $0.formUnion($1.steps) }
    }

    /// The fallback's directory and placement groups.
    func fallback(_ plan: InstallPlan) -> (directories: [InstallGroup], placements: [InstallGroup]) {
        (InstallGroup.directories(plan) { steps.contains($0) }, InstallGroup.placements(plan) { steps.contains($0) })
    }

    static func == (a: InstallTree, b: InstallTree) -> Bool { a.index == b.index && a.steps == b.steps }

    /// The trees of `plan`, in plan order.
    static func find(_ plan: InstallPlan) -> [InstallTree] {
        var made: Set<String> = []
        for case .makeDirectory(let path) in plan.steps { made.insert(path) }
        let previous = Set(plan.removals)
        var trees: [InstallTree] = []
        var roots = Roots()
        var broken: Set<String> = []
        for (index, step) in plan.steps.enumerated() {
            if case .makeDirectory(let path) = step, !made.contains(InstallGroup.split(path).directory), path != "/" {
                roots.add(path, at: trees.count)
                trees.append(InstallTree(root: path, index: index, steps: [index], mayExist: previous.contains(path)))
                continue
            }
            guard let path = target(step), let (root, at) = roots.enclosing(path) else { continue }
            let relative = String(decoding: path.utf8.dropFirst(root.utf8.count + 1), as: UTF8.self)
            if !trees[at].add(index, step, relative: relative) { broken.insert(root) }
        }
        return trees.filter { !broken.contains($0.root) }
    }

    private static func target(_ step: InstallPlan.Step) -> String? {
        switch step {
        case .makeDirectory(let path), .retain(let path): return path
        case .copyFile(_, let path, _, _), .symlink(_, let path, _): return path
        case .keepFile, .keepDirectory: return nil  // never below a directory this install makes
        }
    }

    /// The tree roots found so far, and which one each directory lies in (remembered per
    /// directory: the files of one directory share the walk up).
    private struct Roots {
        var index: [String: Int] = [:]
        var memo: [String: (String, Int)?] = [:]

        mutating func add(_ root: String, at position: Int) {
            index[root] = position
            memo = [:]
        }

        /// The root `path` lies below, if any.
        mutating func enclosing(_ path: String) -> (String, Int)? {
            within(InstallGroup.split(path).directory)
        }

        private mutating func within(_ directory: String) -> (String, Int)? {
            guard directory != "/" else { return nil }
            if let known = memo[directory] { return known }
            let found = index[directory].map { (directory, $0) } ?? within(InstallGroup.split(directory).directory)
            memo[directory] = found
            return found
        }
    }

    /// Adds a step below the root; false when the tree cannot be built in one piece.
    private mutating func add(_ index: Int, _ step: InstallPlan.Step, relative: String) -> Bool {
        steps.insert(index)
        switch step {
        case .makeDirectory:
            directories.append(relative)
        case .copyFile(let source, _, let mode, .missing):
            let root: String
            if source == relative {
                root = ""
            } else if source.hasSuffix("/" + relative) {
                root = String(source.dropLast(relative.count + 1))
            } else {
                return false
            }
            if let sourceRoot, sourceRoot != root { return false }
            sourceRoot = root
            files.append((index, relative, mode))
        case .symlink(let target, _, .missing):
            links.append((index, relative, target))
        case .copyFile, .symlink, .retain, .keepFile, .keepDirectory:
            return false
        }
        return true
    }
}

extension InstallProgram {
    /// Builds tree `number` in a stage of its parent and renames it into place.
    static func tree(_ number: Int, _ tree: InstallTree, into s: inout ShellScript) {
        let (parent, name) = InstallGroup.split(tree.root)
        let index = ShellWord.number(tree.index)
        s.run("t_enter", "copy", index, .quoted(parent))
        s.run("t_stage_in", "copy", index)
        let top = "./" + name
        s.run(ShellCommand(["t_tree", index, .quoted(top)] + tree.directories.map { .quoted(top + "/" + $0) }))
        let files = tree.files
        for first in stride(from: 0, to: files.count, by: InstallGroup.limit) {
            let batch = files[first..<min(first + InstallGroup.limit, files.count)]
            s.run(
                ShellCommand(
                    ["t_tree_copy", .number(batch.first!.index), .quoted(tree.sourceRoot ?? ""), .quoted(name)]
                        + batch.map { .quoted($0.relative) }))
        }
        var modes: [(mode: UInt32, index: Int, paths: [String])] = []
        for file in files {
            if let at = modes.firstIndex(where: { $0.mode == file.mode }) {
                modes[at].paths.append(file.relative)
            } else {
                modes.append((file.mode, file.index, [file.relative]))
            }
        }
        for group in modes {
            for first in stride(from: 0, to: group.paths.count, by: InstallGroup.limit) {
                let paths = group.paths[first..<min(first + InstallGroup.limit, group.paths.count)]
                s.run(
                    ShellCommand(
                        ["t_tree_modes", .number(group.index), modeWord(group.mode)]
                            + paths.map { .quoted(top + "/" + $0) }))
            }
        }
        for link in tree.links {
            s.run("t_put_link", .number(link.index), .quoted(link.target), .quoted(name + "/" + link.relative))
        }
        s.run("t_tree_out", .number(number), index, .quoted(name))
    }

    /// Records tree `number`'s directories (before anything is placed, in creation order):
    /// added to `pending`, the records not yet written; for a tree that may have survived,
    /// `pending` is written first, then the program finds out whether it did (`t_mark`) and
    /// records it only if not.
    static func treeRecords(_ number: Int, _ tree: InstallTree, into s: inout ShellScript, pending: inout [String]) {
        let paths = [tree.root] + tree.directories.map { tree.root + "/" + $0 }
        guard tree.mayExist else { return pending += paths }
        records(pending, into: &s)
        pending = []
        let (parent, name) = InstallGroup.split(tree.root)
        s.ifThen(["t_absent", .number(tree.index), .quoted(parent), .quoted(name)]) { s in
            records(paths, into: &s)
            s.run("t_mark", .number(number))
        }
    }

    /// A tree whose directory may have survived the previous install's removal: built whole
    /// when it is gone, else placed directory by directory like any other.
    static func tree(
        _ number: Int, _ tree: InstallTree, _ plan: InstallPlan, archive: String, into s: inout ShellScript
    ) {
        guard tree.mayExist else { return InstallProgram.tree(number, tree, into: &s) }
        s.ifThen(["t_marked", .number(number)]) { s in
            InstallProgram.tree(number, tree, into: &s)
        } else: { s in
            let (directories, placements) = tree.fallback(plan)
            for (group, directory) in directories.enumerated() {
                InstallProgram.directory("\(number)-\(group)", directory, plan, into: &s)
            }
            for (group, placement) in placements.enumerated() {
                InstallProgram.placement("\(number)-\(group)", placement, plan, archive: archive, into: &s)
            }
        }
    }

    /// The shell side of `tree(_:_:into:)`, run inside the stage.
    static func treeHelpers() -> ShellScript {
        var s = ShellScript()
        // Paths arrive whole (`./name/...`): rebuilding "$@" in a loop costs O(n²) in dash.
        s.line("t_fresh=' '")
        s.line("t_mark() { t_fresh=\"$t_fresh$1 \"; }")
        s.line("t_marked() { case $t_fresh in *\" $1 \"*) return 0 ;; esac; return 1; }")
        s.line("t_absent() {")
        s.line("  t_enter copy \"$1\" \"$2\"")
        s.line("  ! [ -e \"./$3\" ] && ! [ -h \"./$3\" ]")
        s.line("}")
        s.line("t_tree() {")
        s.line("  t_i=$1; shift")
        s.line(
            "  mkdir -m 0755 -- \"$@\" 2>\"$t_errf\" || t_abort \"mkdir:$t_i\" \"cannot create directories from #$t_i on\" \"$(cat -- \"$t_errf\")\""
        )
        s.line("}")
        // The reading tar's status is the pipe's; a file the writing tar could not read is
        // missing from the stage, and t_tree_modes, which names every file, fails on it.
        s.line("t_tree_copy() {")
        s.line("  t_i=$1 t_s=$2 t_r=$3; shift 3")
        s.line(
            "  t_err=$(tar -C \"$t_archive/$t_s\" --hard-dereference -cf - -- \"$@\" | tar --no-same-owner -C \"./$t_r\" -xf - 2>&1) ||"
        )
        s.line("    t_put_failed \"$t_i\"")
        s.line("}")
        s.line("t_tree_modes() {")
        s.line("  t_i=$1 t_m=$2; shift 2")
        s.line(
            "  t_err=$(chmod \"$t_m\" -- \"$@\" 2>&1) || t_abort \"copy:$t_i\" \"cannot set the mode of files from #$t_i on\" \"$t_err\""
        )
        s.line("}")
        s.line("t_tree_out() {")
        s.line("  t_g=$1 t_i=$2")
        s.line("  if ! mv -T -- \"./$3\" \"../$3\" 2>\"$t_errf\"; then")
        s.line("    if [ -h \"../$3\" ]; then")
        s.line(
            "      t_abort \"mkdir:$t_i\" \"a symlink is where directory #$t_i must go; tarmac never follows it: remove it\" \"$t_dir/$3\""
        )
        s.line("    fi")
        s.line(
            "    t_abort \"mkdir:$t_i\" \"something is where directory #$t_i must go (made while Install ran)\" \"$(cat -- \"$t_errf\")\""
        )
        s.line("  fi")
        s.line("  printf '@step tree:%s ok\\n' \"$t_g\" >&3")
        s.line(
            "  cd -P .. && rmdir -- \"./$t_stage\" 2>/dev/null || t_note \"a staging directory of Install could not be removed (directory #$t_i)\""
        )
        s.line("  t_stage=")
        s.line("}")
        return s
    }
}
