/// Install's work grouped by the directory it happens in. The program enters each group's
/// directory once, component by component from `/` (never through a link a non-root user
/// could have planted), and then names entries by their last component only, so nothing an
/// attacker swaps in above them can redirect a write or a removal.
///
/// The same grouping renders the program and reads its progress back (`InstallProgress`):
/// `@step removed:G ok`, `@step made:G ok` and `@step placed:G ok` say group G is done,
/// `@step gone:G.P ok` and `@step put:G.P ok` say member P of a group that failed part way is.
public struct InstallGroup: Sendable, Equatable {
    /// The directory the members live in.
    public var directory: String
    /// Indices into `plan.removals` (removal groups) or `plan.steps` (the others).
    public var members: [Int]

    /// Members per group: far below the 128 KiB per-argument and 2 MiB per-exec limits.
    static let limit = 1000

    /// `/a/b` → (`/a`, `b`); `/a` → (`/`, `a`).
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("/", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// The previous install's paths, in removal order, cut where the directory changes.
    public static func removals(_ plan: InstallPlan) -> [InstallGroup] {
        consecutive(plan.removals.enumerated().map { ($0.offset, $0.element) })
    }

    /// The directories the plan makes, in order.
    public static func directories(_ plan: InstallPlan) -> [InstallGroup] {
        consecutive(
            plan.steps.enumerated().compactMap { index, step in
                if case .makeDirectory(let path) = step { return (index, path) }
                return nil
            })
    }

    /// The copies and links, in plan order, cut where the directory changes.
    public static func placements(_ plan: InstallPlan) -> [InstallGroup] {
        consecutive(plan.steps.enumerated().compactMap { index, step in placed(step).map { (index, $0) } })
    }

    /// The path a copy or link step places; nil for other steps.
    static func placed(_ step: InstallPlan.Step) -> String? {
        switch step {
        case .copyFile(_, let destination, _, _), .symlink(_, let destination, _): return destination
        case .makeDirectory, .retain: return nil
        }
    }

    private static func consecutive(_ items: [(Int, String)]) -> [InstallGroup] {
        var groups: [InstallGroup] = []
        for (index, path) in items {
            let directory = split(path).directory
            if let last = groups.last, last.directory == directory, last.members.count < limit {
                groups[groups.count - 1].members.append(index)
            } else {
                groups.append(InstallGroup(directory: directory, members: [index]))
            }
        }
        return groups
    }
}
