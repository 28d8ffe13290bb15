/// Install (spec §4.1, §4.8, §5.3) as one program: ensure `deployment-instructions/`, remove
/// the previous install's paths, drop its SELinux rules and cleanup file, then make
/// directories, place files and symlinks in plan order while writing the new cleanup file,
/// apply permissions (chown, chmod, setfacl, label), and write `_last_successful_install`.
///
/// Nothing below a destination is reached through a symlink a non-root user could have
/// planted, before or during the run (SECURITY.md): work is grouped by directory
/// (`InstallGroup`); the program enters a group's directory component by component and
/// names entries by their last component only. Files and links are made in a fresh
/// directory only root can write (a stage, `mktemp -d` inside the target directory), given
/// their modes there, and renamed over their targets: a reader sees the old file or the new
/// one, and a link planted at a target is replaced, never written through.
///
/// A failure stops the program with `@step <kind>:<index> failed` and a `@note`; the index
/// points into `plan.removals`, `plan.steps` or `plan.permissions` (see `failure(in:plan:)`).
/// Progress is recorded per group (see `InstallGroup`), so a failed run says what it changed.
/// Last, what it left of `recorded` (the files it wrote or kept, with their content's SHA-256)
/// goes into the group's `InstallStatRecord`.
public enum InstallProgram {
    /// Renders the program for `plan` of deployment `deploymentID`.
    public static func render(
        plan: InstallPlan, layout: HostLayout, deploymentID: String, recorded: [InstallStatRecord.Entry] = []
    ) -> ShellScript {
        var script = Bookkeeping.prelude("install deployment \(deploymentID) of group \(layout.groupID)")
        script.reuseName = "\(layout.groupID).install"
        script.append(helpers())
        Bookkeeping.assign("t_archive", layout.archiveDirectory(deploymentID), in: &script)
        Bookkeeping.assign("t_cleanup", layout.cleanupFile, in: &script)
        // Tools' complaints go to a file, read only on failure: no subshell per step.
        let logs = layout.deploymentDirectory(deploymentID) + "/logs"
        Bookkeeping.assign("t_errf", logs + "/install.stderr", in: &script)
        script.run(
            "mkdir", "-p", "--", .quoted(layout.instructions), .quoted(logs), "||", "t_fail", "instructions",
            .quoted("cannot create deployment-instructions or the deployment's logs"), .quoted(layout.instructions))
        script.append(keepChecks(plan))
        script.append(removals(plan))
        script.append(steps(plan, archive: layout.archiveDirectory(deploymentID)))
        script.append(permissions(plan))
        script.append(InstallStatRecord.program(recorded, plan: plan, file: layout.installStatFile))
        script.line("cd /")
        Bookkeeping.writeFile(
            layout.lastSuccessfulFile, text: layout.deploymentDirectory(deploymentID), label: "last-successful",
            in: &script)
        Bookkeeping.finish(&script)
        return script
    }

    /// Removes the previous install (already in reverse order) directory by directory, its
    /// SELinux rules and its cleanup file, and opens the new cleanup file empty.
    static func removals(_ plan: InstallPlan) -> ShellScript {
        var s = ShellScript()
        s.comment("The previous install: \(plan.removals.count) paths, \(plan.selinuxRemovals.count) SELinux rules.")
        for (number, group) in InstallGroup.removals(plan).enumerated() {
            s.run(
                ShellCommand(
                    ["t_remove_in", .number(number), .number(group.members[0]), .quoted(group.directory)]
                        + group.members.map { .quoted("./" + InstallGroup.split(plan.removals[$0]).name) }))
        }
        for path in plan.selinuxRemovals {
            s.run("t_unlabel", .quoted(path))
        }
        s.run("printf", "'@step cleanup:%s ok\\n'", .number(plan.removals.count), ">&3")
        s.line(
            "rm -f -- \"$t_cleanup\" && : > \"$t_cleanup\" || t_fail cleanup-file 'cannot replace the cleanup file' \"$t_cleanup\""
        )
        return s
    }

    /// Directories first (all of them, a batch per directory), then copies and symlinks in
    /// plan order, each recorded as §4.1 says. Making every directory first is safe: the
    /// planner only makes directories that are missing, and no later step needs one gone.
    static func steps(_ plan: InstallPlan, archive: String) -> ShellScript {
        var s = ShellScript()
        s.comment("Files: \(plan.steps.count) steps.")
        let trees = InstallTree.find(plan)
        for (number, group) in InstallGroup.directories(plan, trees: trees).enumerated() {
            directory(String(number), group, plan, into: &s)
        }
        // Every directory of a tree, file and link is recorded before it is made (§4.8: before
        // the copy), directories first, in plan order.
        // Kept directories (`InstallPlannerKeep`) among the trees', in plan order, as a full
        // install of a tree records them.
        let treeAt = Dictionary(uniqueKeysWithValues: trees.enumerated().map { ($1.index, $0) })
        // Runs of records go out as batches (`records`); a tree that may have survived is
        // recorded under its condition, after what comes before it.
        var pending: [String] = []
        for (index, step) in plan.steps.enumerated() {
            if case .keepDirectory(let path, _) = step { pending.append(path) }
            if let number = treeAt[index] { treeRecords(number, trees[number], into: &s, pending: &pending) }
        }
        pending += plan.steps.compactMap { InstallGroup.placed($0) ?? keptRecord($0) }
        records(pending, into: &s)
        for (number, tree) in trees.enumerated() {
            InstallProgram.tree(number, tree, plan, archive: archive, into: &s)
        }
        for (number, group) in InstallGroup.placements(plan, trees: trees).enumerated() {
            placement(String(number), group, plan, archive: archive, into: &s)
        }
        s.run("printf", "'@step files:%s/%s ok\\n'", .number(plan.steps.count), .number(plan.steps.count), ">&3")
        return s
    }

    /// One directory's copies and links: staged with their modes, renamed into place.
    static func placement(
        _ id: String, _ group: InstallGroup, _ plan: InstallPlan, archive: String, into s: inout ShellScript
    ) {
        let first = ShellWord.number(group.members[0])
        s.run("t_enter", "copy", first, .quoted(group.directory))
        s.run("t_stage_in", "copy", first)
        // One `install` per source directory and mode; a copy that changes its name, and a link, alone.
        var batches: [(index: Int, mode: UInt32, source: String, names: [String])] = []
        var names: [String] = []
        var unplace: [(Int, String)] = []
        for index in group.members {
            let step = plan.steps[index]
            let name = InstallGroup.split(InstallGroup.placed(step) ?? "").name
            names.append(name)
            switch step {
            case .copyFile(let source, _, let mode, let replaces):
                let (directory, sourceName) = InstallGroup.split("/" + source)
                let relative = String(directory.dropFirst())
                if sourceName != name {
                    s.run("t_put_as", .number(index), modeWord(mode), .quoted(source), .quoted(name))
                } else if let at = batches.firstIndex(where: { $0.mode == mode && $0.source == relative }) {
                    batches[at].names.append(name)
                } else {
                    batches.append((index, mode, relative, [name]))
                }
                if replaces == .directory { unplace.append((index, name)) }
            case .symlink(let target, _, let replaces):
                s.run("t_put_link", .number(index), .quoted(target), .quoted(name))
                if replaces == .directory { unplace.append((index, name)) }
            case .makeDirectory, .retain, .keepFile, .keepDirectory:
                break
            }
        }
        for batch in batches {
            let source = batch.source.isEmpty ? archive : archive + "/" + batch.source
            let words: [ShellWord] = ["t_put", .number(batch.index), modeWord(batch.mode)]
            s.run(ShellCommand(words + batch.names.map { .quoted(source + "/" + $0) }))
        }
        for (index, name) in unplace { s.run("t_unplace", .number(index), .quoted(name)) }
        s.run(ShellCommand(["t_stage_out", .quoted(id), first] + names.map { .quoted($0) }))
    }

    /// One group of directories the plan makes, recorded once made: one `mkdir` when none of
    /// them exists yet, else directory by directory (recording only what this install made: a
    /// directory of the previous install that survived its removal, not being empty, is not
    /// this install's).
    static func directory(_ id: String, _ group: InstallGroup, _ plan: InstallPlan, into s: inout ShellScript) {
        let paths = group.members.map { index -> (Int, String) in
            guard case .makeDirectory(let path) = plan.steps[index] else { return (index, "") }
            return (index, path)
        }
        s.run("t_enter", "mkdir", .number(group.members[0]), .quoted(group.directory))
        let batch =
            ["t_mkdirs", .number(group.members[0])]
            + paths.map { ShellWord.quoted("./" + InstallGroup.split($0.1).name) }
        s.ifThen(ShellCommand(batch)) { s in
            records(paths.map(\.1), into: &s)
        } else: { s in
            for (index, path) in paths {
                let name = InstallGroup.split(path).name
                s.run(ShellCommand(["t_mkdir", .number(index), .quoted(name), "&&"] + record(path).words))
            }
        }
        s.run("printf", "'@step made:%s ok\\n'", .quoted(id), ">&3")
    }

    /// Appends `paths` to the cleanup file in CleanupRecord's format, in order: runs of plain
    /// paths as `t_records` batches (one open of the file per batch, not one per path), a
    /// path holding a newline or a backslash on its own, escaped.
    static func records(_ paths: [String], into s: inout ShellScript) {
        var plain: [String] = []
        func flush(_ s: inout ShellScript) {
            for first in stride(from: 0, to: plain.count, by: InstallGroup.limit) {
                let batch = plain[first..<min(first + InstallGroup.limit, plain.count)]
                s.run(ShellCommand(["t_records"] + batch.map { .quoted($0) }))
            }
            plain = []
        }
        for path in paths {
            if needsEscaping(path) {
                flush(&s)
                s.run(record(path))
            } else {
                plain.append(path)
            }
        }
        flush(&s)
    }

    /// A path the cleanup record holds escaped (`escaped\0…`): one with a newline or a backslash.
    static func needsEscaping(_ path: String) -> Bool {
        path.utf8.contains { $0 == 0x0A || $0 == UInt8(ascii: "\\") }
    }

    /// The command that appends `path` to the cleanup file in CleanupRecord's format.
    static func record(_ path: String) -> ShellCommand {
        guard needsEscaping(path) else { return ["t_record", .quoted(path)] }
        let escaped = path.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
        return ["t_record_escaped", .quoted(escaped)]
    }

    /// A mode as five octal digits, so GNU chmod also clears setuid/setgid on directories.
    static func modeWord(_ mode: UInt32) -> ShellWord {
        let digits = String(mode & 0o7777, radix: 8)
        return .quoted(String(repeating: "0", count: max(0, 5 - digits.count)) + digits)
    }
}
