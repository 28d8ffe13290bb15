/// Install (spec §4.1, §4.8, §5.3) as one program: ensure `deployment-instructions/`, remove
/// the previous install's paths, drop its SELinux rules and cleanup file, then make
/// directories, copy files and re-create symlinks in plan order while writing the new cleanup
/// file, apply permissions (chown, chmod, setfacl, label), and write `_last_successful_install`.
///
/// Copies and symlinks are atomic: written under a temporary name in the same directory, then
/// renamed over the target, so a reader sees the old file or the new one, never half of one.
/// A failure stops the program with `@step <kind>:<index> failed` and a `@note`; the index
/// points into `plan.removals`, `plan.steps` or `plan.permissions` (see `failure(in:plan:)`).
/// Progress is aggregated: one `@step` line per phase and per 500 file steps.
public enum InstallProgram {
    /// How many file steps one progress line stands for.
    static let progressChunk = 500

    /// Renders the program for `plan` of deployment `deploymentID`.
    public static func render(plan: InstallPlan, layout: HostLayout, deploymentID: String) -> ShellScript {
        var script = Bookkeeping.prelude("install deployment \(deploymentID) of group \(layout.groupID)")
        script.append(helpers())
        Bookkeeping.assign("t_archive", layout.archiveDirectory(deploymentID), in: &script)
        Bookkeeping.assign("t_cleanup", layout.cleanupFile, in: &script)
        // Tools' complaints go to a file, read only on failure: no subshell per step.
        let logs = layout.deploymentDirectory(deploymentID) + "/logs"
        Bookkeeping.assign("t_errf", logs + "/install.stderr", in: &script)
        script.run(
            "mkdir", "-p", "--", .quoted(layout.instructions), .quoted(logs), "||", "t_fail", "instructions",
            .quoted("cannot create deployment-instructions or the deployment's logs"), .quoted(layout.instructions))
        script.append(removals(plan))
        script.append(steps(plan, deploymentID: deploymentID, archive: layout.archiveDirectory(deploymentID)))
        script.append(permissions(plan))
        Bookkeeping.writeFile(
            layout.lastSuccessfulFile, text: layout.deploymentDirectory(deploymentID), label: "last-successful",
            in: &script)
        Bookkeeping.finish(&script)
        return script
    }

    /// Removes the previous install (already in reverse order), its SELinux rules and its cleanup
    /// file, and opens the new cleanup file empty.
    static func removals(_ plan: InstallPlan) -> ShellScript {
        var s = ShellScript()
        s.comment("The previous install: \(plan.removals.count) paths, \(plan.selinuxRemovals.count) SELinux rules.")
        // In batches: one `rm` for the files and links of up to 200 paths, then their
        // directories (reverse creation order puts a directory after everything in it).
        for first in stride(from: 0, to: plan.removals.count, by: InstallCopyBatch.limit) {
            let paths = plan.removals[first..<min(first + InstallCopyBatch.limit, plan.removals.count)]
            s.run(ShellCommand(["t_remove_batch", .number(first)] + paths.map { .quoted($0) }))
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

    /// Directories first (all of them, a batch per `mkdir`), then copies and symlinks in plan
    /// order, each recorded as §4.1 says. Making every directory first is safe: the planner
    /// only makes directories that are missing, and no later step needs one gone.
    static func steps(_ plan: InstallPlan, deploymentID: String, archive: String) -> ShellScript {
        var s = ShellScript()
        s.comment("Files: \(plan.steps.count) steps.")
        s.append(directories(plan))
        let total = plan.steps.count
        var batch: InstallCopyBatch?
        func flush() {
            batch?.render(into: &s)
            batch = nil
        }
        for (index, step) in plan.steps.enumerated() {
            switch step {
            case .copyFile(let source, let destination, let mode, .missing):
                if let (roots, relative) = InstallCopyBatch.split(source: source, destination: destination) {
                    if batch?.accepts(roots) != true {
                        flush()
                        batch = InstallCopyBatch(roots: roots, firstIndex: index)
                    }
                    batch?.add(relative: relative, destination: destination, mode: mode)
                } else {
                    flush()
                    s.run(record(destination))
                    s.run(
                        "t_copy", .number(index), .quoted(source), .quoted(destination),
                        .quoted(temporaryPath(destination, index: index, deploymentID: deploymentID)), modeWord(mode))
                }
            case .makeDirectory:
                break  // made above
            case .copyFile(let source, let destination, let mode, let replaces):
                flush()
                s.run(record(destination))
                if replaces == .directory { s.run("t_unplace", .number(index), .quoted(destination)) }
                s.run(
                    "t_copy", .number(index), .quoted(source), .quoted(destination),
                    .quoted(temporaryPath(destination, index: index, deploymentID: deploymentID)), modeWord(mode))
            case .symlink(let target, let destination, let replaces):
                flush()
                s.run(record(destination))
                if replaces == .directory { s.run("t_unplace", .number(index), .quoted(destination)) }
                s.run(
                    "t_link", .number(index), .quoted(target), .quoted(destination),
                    .quoted(temporaryPath(destination, index: index, deploymentID: deploymentID)))
            case .retain:
                break  // nothing written, nothing recorded (§4.7)
            }
            if (index + 1) % progressChunk == 0 && index + 1 < total {
                flush()
                s.run("printf", "'@step files:%s/%s ok\\n'", .number(index + 1), .number(total), ">&3")
            }
        }
        flush()
        s.run("printf", "'@step files:%s/%s ok\\n'", .number(total), .number(total), ">&3")
        return s
    }

    /// Every directory the plan makes, parents first, recorded once made: one `mkdir` per
    /// batch when none of them exists yet, else directory by directory (recording only what
    /// this install made: a directory of the previous install that survived its removal, not
    /// being empty, is not this install's).
    static func directories(_ plan: InstallPlan) -> ShellScript {
        var s = ShellScript()
        let made = plan.steps.enumerated().compactMap { index, step -> (Int, String)? in
            if case .makeDirectory(let path) = step { return (index, path) }
            return nil
        }
        for first in stride(from: 0, to: made.count, by: InstallCopyBatch.limit) {
            let batch = made[first..<min(first + InstallCopyBatch.limit, made.count)]
            s.ifThen(ShellCommand(["t_mkdir_batch", .number(batch.first!.0)] + batch.map { .quoted($0.1) })) { s in
                for (_, path) in batch { s.run(record(path)) }
            } else: { s in
                for (index, path) in batch {
                    s.run(ShellCommand(["t_mkdir", .number(index), .quoted(path), "&&"] + record(path).words))
                }
            }
        }
        return s
    }

    /// Permission changes in plan order; per path: chown, chmod, setfacl, SELinux label.
    static func permissions(_ plan: InstallPlan) -> ShellScript {
        var s = ShellScript()
        s.comment("Permissions: \(plan.permissions.count) paths.")
        for (index, change) in plan.permissions.enumerated() {
            let i = ShellWord.number(index)
            let path = ShellWord.quoted(change.path)
            s.ifThen(["t_perm", i, path]) { s in
                switch (change.owner, change.group) {
                case (let owner?, let group?): s.run("t_chown", i, .quoted(owner + ":" + group), path)
                case (let owner?, nil): s.run("t_chown", i, .quoted(owner), path)
                case (nil, let group?): s.run("t_chgrp", i, .quoted(group), path)
                case (nil, nil): break
                }
                if let mode = change.mode { s.run("t_chmod", i, modeWord(mode), path) }
                if let acl = change.acl { s.run("t_setfacl", i, .quoted(acl.joined(separator: ",")), path) }
                if let type = change.selinuxType {
                    s.run("t_record_label", path)
                    var words: [ShellWord] = ["t_label", i, path]
                    if let user = change.selinuxUser { words += ["-s", .quoted(user)] }
                    words += ["-t", .quoted(type)]
                    if let range = change.selinuxRange { words += ["-r", .quoted(range)] }
                    s.run(ShellCommand(words))
                }
            }
        }
        s.run("printf", "'@step permissions:%s ok\\n'", .number(plan.permissions.count), ">&3")
        return s
    }

    /// The command that appends `path` to the cleanup file in CleanupRecord's format.
    static func record(_ path: String) -> ShellCommand {
        guard path.contains("\n") || path.contains("\\") else { return ["t_record", .quoted(path)] }
        let escaped = path.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
        return ["t_record_escaped", .quoted(escaped)]
    }

    /// `.<name>.tarmac-tmp.<deployment-id>` next to the target, or a short indexed name when
    /// that would exceed the 255-byte name limit.
    static func temporaryPath(_ destination: String, index: Int, deploymentID: String) -> String {
        guard let slash = destination.lastIndex(of: "/") else { return destination + ".tarmac-tmp" }
        let directory = destination[..<slash]
        let name = "." + destination[destination.index(after: slash)...] + ".tarmac-tmp." + deploymentID
        if name.utf8.count <= 255 { return directory + "/" + name }
        return directory + "/.tarmac-tmp.\(index)." + deploymentID
    }

    /// A mode as five octal digits, so GNU chmod also clears setuid/setgid on directories.
    static func modeWord(_ mode: UInt32) -> ShellWord {
        let digits = String(mode & 0o7777, radix: 8)
        return .quoted(String(repeating: "0", count: max(0, 5 - digits.count)) + digits)
    }
}
