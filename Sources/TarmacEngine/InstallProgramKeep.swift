extension InstallProgram {
    /// Before anything is removed: every kept directory and file (`InstallPlannerKeep`) is
    /// still exactly what the probe saw (`PathStat`: same inode, links, owner, mode, size and
    /// change time), checked by one `stat` per directory, reached without following a link a
    /// non-root user could have planted. Any difference fails Install with nothing changed.
    static func keepChecks(_ plan: InstallPlan) -> ShellScript {
        var s = ShellScript()
        var groups: [(directory: String, first: Int, names: [String], stats: [String])] = []
        var open: [String: Int] = [:]
        for (index, step) in plan.steps.enumerated() {
            let (path, stat): (String, String)
            switch step {
            case .keepFile(let destination, let line): (path, stat) = (destination, line)
            case .keepDirectory(let directory, let line): (path, stat) = (directory, line)
            default: continue
            }
            let (directory, name) = InstallGroup.split(path)
            if let at = open[directory], groups[at].names.count < InstallGroup.limit {
                groups[at].names.append("./" + name)
                groups[at].stats.append(stat)
            } else {
                open[directory] = groups.count
                groups.append((directory, index, ["./" + name], [stat]))
            }
        }
        guard !groups.isEmpty else { return s }
        s.comment("Kept as they are: \(groups.reduce(0) { $0 + $1.names.count }) unchanged paths, checked again.")
        for group in groups {
            s.run(
                ShellCommand(
                    [
                        "t_keep_check", .number(group.first), .quoted(group.directory),
                        .quoted(group.stats.joined(separator: "\n")),
                    ] + group.names.map { .quoted($0) }))
        }
        return s
    }

    /// The kept paths' records, in plan order: directories with the other directories'
    /// records, files with the other files'.
    static func keptRecord(_ step: InstallPlan.Step) -> String? {
        switch step {
        case .keepFile(let path, _): return path
        default: return nil
        }
    }

    static func keepHelpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_keep_check() {")
        s.line("  t_i=$1 t_want=$3")
        s.line("  t_enter keep \"$1\" \"$2\"")
        s.line("  shift 3")
        s.line("  [ \"$(stat -c '%d:%i:%h:%u:%g:%f:%s:%z' -- \"$@\" 2>/dev/null)\" = \"$t_want\" ] ||")
        s.line(
            "    t_fail \"keep:$t_i\" \"a file or directory from #$t_i on, unchanged when the host was probed, has changed since; nothing was changed: run the deployment again\" \"$PWD\""
        )
        s.line("}")
        return s
    }
}
