/// The probe's look at the install targets, batch by batch: each path's kind, and `stat` of
/// those that exist (see `PathStat`; links are not followed, and what is not a regular file or
/// directory is never kept):
///
///     @fact kinds <i> <letters>           one letter per path from index i: `f` a regular file,
///                                         `d` a directory, `l` a symlink, `o` other, `m` missing
///     @fact runner <uid> <gid>            who the programs run as
///     @fact stats <i> <j> …               the indices of the batch's regular files and directories
///     @fact stats-all <i> <n>             instead of kinds and stats: all n paths from index i exist,
///                                         and their kinds come from their stat lines
///     @fact stat-line <stat text>         one per index, in that order
///     @fact mark-line x<c>                one per index: `ls -ln`'s 11th column (`+`: an ACL; -n: no
///                                         name lookups, which the column does not need)
///
/// A batch whose line counts differ from its indices (a path removed meanwhile) is dropped:
/// nothing in it is kept, it is installed anew.
enum ProbeStats {
    static func render(_ paths: [String], into script: inout ShellScript) {
        script.comment("What stat says of the paths that exist (links never followed), by index.")
        script.line("t_runner")
        // The leading chain of directories (each the parent of the next path: `/opt`, then
        // `/opt/app`) goes alone, so that the batches after it lie under one directory.
        var chain = 0
        while chain + 1 < paths.count, paths[chain + 1].hasPrefix(paths[chain] + "/") { chain += 1 }
        let ranges =
            chain > 0
            ? [0..<chain]
                + ArgumentBatches.ranges(Array(paths[chain...])).map {
                    ($0.lowerBound + chain)..<($0.upperBound + chain)
                }
            : ArgumentBatches.ranges(paths)
        for range in ranges {
            let batch = paths[range].map { ShellWord.quoted($0) }
            if let directory = commonDirectory(paths[range]) {
                // A batch under a directory that is not there is all missing: one test, no loop.
                script.run(
                    ShellCommand(
                        [
                            "t_stats_under", .quoted(directory), .quoted(String(repeating: "m", count: range.count)),
                            .number(range.lowerBound),
                        ] + batch))
            } else {
                script.run(ShellCommand(["t_stats", .number(range.lowerBound)] + batch))
            }
        }
    }

    /// The deepest directory every path of `paths` lies strictly under, when deeper than `/`:
    /// the longest whole-component prefix of their parents, compared byte by byte.
    static func commonDirectory(_ paths: ArraySlice<String>) -> String? {
        let slash = UInt8(ascii: "/")
        func parent(_ path: String) -> ArraySlice<UInt8>? {
            let bytes = Array(path.utf8)
            guard bytes.first == slash, let last = bytes.lastIndex(of: slash) else { return nil }
            return bytes[..<last]
        }
        guard let first = paths.first, var common = parent(first) else { return nil }
        for path in paths.dropFirst() {
            guard let other = parent(path) else { return nil }
            var shared = 0
            while shared < common.count, shared < other.count,
                common[common.startIndex + shared] == other[other.startIndex + shared]
            {
                shared += 1
            }
            let whole =
                (shared == common.count || common[common.startIndex + shared] == slash)
                && (shared == other.count || other[other.startIndex + shared] == slash)
            if !whole {
                shared = (common.prefix(shared).lastIndex(of: slash) ?? common.startIndex) - common.startIndex
            }
            common = common.prefix(shared)
        }
        return common.isEmpty ? nil : String(decoding: common, as: UTF8.self)
    }

    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_runner() { printf '@fact runner %s %s\\n' \"$(id -u)\" \"$(id -g)\" >&3; }")
        s.line("t_stats() {")
        s.line("  t_i=$1 t_ix= t_ks=; shift")
        // Every path there (stat fails when one is not): the kinds come from stat's own lines,
        // without a look at each path in the shell.
        // stat prints each line's fact itself (no sed for it).
        s.line("  if t_sl=$(stat --printf '@fact stat-line %d:%i:%h:%u:%g:%f:%s:%.9Z\\n' -- \"$@\" 2>/dev/null); then")
        s.line("    printf '@fact stats-all %s %s\\n' \"$t_i\" \"$#\" >&3")
        s.line("    printf '%s\\n' \"$t_sl\" >&3")
        s.line("    t_marks \"$@\"")
        s.line("    return 0")
        s.line("  fi")
        // Each path's kind, one letter (symlinks not followed), and the indices of what exists;
        // stat and ls skip the rest (a count that differs drops the batch's stats, not its kinds).
        s.line("  for t_p do")
        s.line("    if [ -h \"$t_p\" ]; then t_ks=${t_ks}l t_ix=\"$t_ix $t_i\"")
        s.line("    elif [ ! -e \"$t_p\" ]; then t_ks=${t_ks}m")
        s.line("    elif [ -f \"$t_p\" ]; then t_ks=${t_ks}f t_ix=\"$t_ix $t_i\"")
        s.line("    elif [ -d \"$t_p\" ]; then t_ks=${t_ks}d t_ix=\"$t_ix $t_i\"")
        s.line("    else t_ks=${t_ks}o t_ix=\"$t_ix $t_i\"; fi")
        s.line("    t_i=$((t_i + 1))")
        s.line("  done")
        s.line("  printf '@fact kinds %s %s\\n' \"$((t_i - $#))\" \"$t_ks\" >&3")
        s.line("  [ -n \"$t_ix\" ] || return 0")
        s.line("  printf '@fact stats%s\\n' \"$t_ix\" >&3")
        s.line("  stat --printf '@fact stat-line %d:%i:%h:%u:%g:%f:%s:%.9Z\\n' -- \"$@\" 2>/dev/null >&3")
        s.line("  t_marks \"$@\"")
        s.line("}")
        // ls -l's 11th column, one line per path (escape quoting keeps a name on its line; cut and a
        // plain sed cost less than one sed with a back-reference).
        s.line("t_marks() {")
        s.line("  ls -ldUn --quoting-style=escape -- \"$@\" 2>/dev/null | cut -c11 | sed 's/^/@fact mark-line x/' >&3")
        s.line("}")
        // `t_stats_under DIR MISSING FIRST PATH…`: every PATH lies under DIR; when DIR is not
        // there (not even a dangling link), none of them is, and MISSING (one `m` each) says so.
        s.line("t_stats_under() {")
        s.line(
            "  if [ ! -e \"$1\" ] && [ ! -h \"$1\" ]; then printf '@fact kinds %s %s\\n' \"$3\" \"$2\" >&3; return 0; fi"
        )
        s.line("  shift 2")
        s.line("  t_stats \"$@\"")
        s.line("}")
        return s
    }

    /// Collects the batches' lines into `PathStat`s by path.
    struct Parser {
        var indices: [Int] = []
        var lines: [String] = []
        var marks: [Bool] = []
        var stats: [String: PathStat] = [:]
        /// The kinds of `stats-all` batches, from their stat lines.
        var kinds: [String: HostFacts.PathKind] = [:]
        /// Whether the batch being read is a `stats-all` one, and a problem found in one.
        var all = false
        var problem: String?

        mutating func take(key: String, value: String, paths: [String]) -> Bool {
            switch key {
            case "stats":
                flush(paths)
                indices = value.split(separator: " ").compactMap { Int($0) }
            case "stats-all":
                flush(paths)
                let fields = value.split(separator: " ")
                guard fields.count == 2, let first = Int(fields[0]), let count = Int(fields[1]), first >= 0,
                    count > 0, first <= paths.count - count
                else {
                    problem = problem ?? "@fact stats-all \(value)"
                    return true
                }
                indices = Array(first..<(first + count))
                all = true
            case "stat-line": lines.append(value)
            case "mark-line": marks.append(value.containsASCII("+"))
            default: return false
            }
            return true
        }

        mutating func flush(_ paths: [String]) {
            defer { (indices, lines, marks, all) = ([], [], [], false) }
            // A batch stat answered whole cannot come short: its kinds would be unknown.
            if all, indices.count != lines.count {
                problem = problem ?? "a batch of \(indices.count) paths came with \(lines.count) stat lines"
                return
            }
            let marked = indices.count == lines.count && indices.count == marks.count
            guard all || marked else { return }
            for (k, index) in indices.enumerated() where paths.indices.contains(index) {
                // Each line is read once: for its kind (a whole batch) and for the stats.
                let stat = PathStat(line: lines[k], hasACL: marked && marks[k])
                if all {
                    guard let stat else {
                        problem = problem ?? "@fact stat-line \(lines[k])"
                        return
                    }
                    kinds[paths[index]] = stat.kind
                }
                if marked, let stat { stats[paths[index]] = stat }
            }
        }
    }
}
