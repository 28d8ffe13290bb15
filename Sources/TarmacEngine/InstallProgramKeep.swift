extension InstallProgram {
    /// Before anything is removed: every kept directory and file (`InstallPlannerKeep`) is
    /// still exactly what the probe saw (`PathStat`: same inode, links, owner, mode, size and
    /// change time). The directory above each topmost kept path is entered without following
    /// a link a non-root user could have planted; one `stat` there covers the kept tree below
    /// it (only directories root owns, mode 0755, lie on the way), and names the topmost path
    /// first and last, so it cannot have been moved away and back meanwhile (a rename changes
    /// its change time). Any difference fails Install with nothing changed.
    static func keepChecks(_ plan: InstallPlan) -> ShellScript {
        var s = ShellScript()
        var kept: [(index: Int, path: String, stat: String)] = []
        for (index, step) in plan.steps.enumerated() {
            switch step {
            case .keepFile(let path, let line), .keepDirectory(let path, let line): kept.append((index, path, line))
            default: continue
            }
        }
        guard !kept.isEmpty else { return s }
        let directories = Set(
            kept.compactMap { item -> String? in
                if case .keepDirectory = plan.steps[item.index] { return item.path }
                return nil
            })
        // Each kept path under its topmost kept ancestor (itself when its parent is not kept).
        var roots: [(root: (index: Int, path: String, stat: String), below: [(path: String, stat: String)])] = []
        var rootOf: [String: Int] = [:]
        for item in kept {
            let parent = InstallGroup.split(item.path).directory
            if directories.contains(parent), let at = rootOf[parent] {
                rootOf[item.path] = at
                roots[at].below.append((item.path, item.stat))
            } else {
                rootOf[item.path] = roots.count
                roots.append(((item.index, item.path, item.stat), []))
            }
        }
        s.comment("Kept as they are: \(kept.count) unchanged paths, checked again.")
        for (root, below) in roots {
            let (directory, name) = InstallGroup.split(root.path)
            let top = "./" + name
            for first in stride(from: 0, to: max(below.count, 1), by: InstallGroup.limit) {
                let chunk = below.isEmpty ? [] : below[first..<min(first + InstallGroup.limit, below.count)]
                let names = [top] + chunk.map { top + String($0.path.dropFirst(root.path.count)) } + [top]
                let stats = [root.stat] + chunk.map(\.stat) + [root.stat]
                s.run(
                    ShellCommand(
                        [
                            "t_keep_check", .number(root.index), .quoted(directory),
                            .quoted(stats.joined(separator: "\n")),
                        ]
                            + names.map { .quoted($0) }))
            }
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
        s.line("  [ \"$(stat -c '%d:%i:%h:%u:%g:%f:%s:%.9Z' -- \"$@\" 2>/dev/null)\" = \"$t_want\" ] ||")
        s.line(
            "    t_fail \"keep:$t_i\" \"a file or directory from #$t_i on, unchanged when the host was probed, has changed since; nothing was changed: run the deployment again\" \"$PWD\""
        )
        s.line("}")
        return s
    }
}
