/// Install's work grouped by the directory it happens in. The program enters each group's
/// directory once, component by component from `/` (never through a link a non-root user
/// could have planted), and then names entries by their last component only, so nothing an
/// attacker swaps in above them can redirect a write or a removal.
///
/// The same grouping renders the program and reads its progress back (`InstallProgress`):
/// `@step removed:G ok`, `@step made:G ok` and `@step placed:G ok` say group G is done,
/// `@step tree:T ok` that `InstallTree` T is in place (`T-G` names group G of a tree's
/// fallback, when its directory was still there),
/// `@step gone:G.P ok` and `@step put:G.P ok` say member P of a group that failed part way is.
public struct InstallGroup: Sendable, Equatable {
    /// The directory the members live in.
    public var directory: String
    /// Indices into `plan.removals` (removal groups) or `plan.steps` (the others).
    public var members: [Int]

    /// Members per group: far below the 128 KiB per-argument and 2 MiB per-exec limits.
    static let limit = 1000

    /// `/a/b` → (`/a`, `b`); `/a` → (`/`, `a`). Split at the last `/` byte.
    static func split(_ path: String) -> (directory: String, name: String) {
        let utf8 = path.utf8
        guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return ("/", path) }
        let directory = String(decoding: utf8[..<slash], as: UTF8.self)
        return (directory.isEmpty ? "/" : directory, String(decoding: utf8[utf8.index(after: slash)...], as: UTF8.self))
    }

    /// The previous install's paths by directory, deepest directories first: everything in a
    /// directory is removed before the directory itself is tried, as reverse creation order
    /// would, with one `rm` per directory instead of one per run of consecutive paths.
    public static func removals(_ plan: InstallPlan) -> [InstallGroup] {
        let groups = byDirectory(plan.removals.enumerated().map { ($0.offset, $0.element) })
        func depth(_ group: InstallGroup) -> Int {
            group.directory == "/" ? 0 : group.directory.utf8.count { $0 == UInt8(ascii: "/") }
        }
        return groups.enumerated().sorted { a, b in
            depth(a.element) != depth(b.element) ? depth(a.element) > depth(b.element) : a.offset < b.offset
        }.map(\.element)
    }

    /// The directories the plan makes, by parent, parents' groups first (a directory comes
    /// after its parent in plan order, so its parent's group starts earlier); those of an
    /// `InstallTree` are left to it.
    public static func directories(_ plan: InstallPlan) -> [InstallGroup] {
        directories(plan, trees: InstallTree.find(plan))
    }

    static func directories(_ plan: InstallPlan, trees: [InstallTree]) -> [InstallGroup] {
        let steps = InstallTree.steps(trees)
        return directories(plan) { !steps.contains($0) }
    }

    /// The copies and links by directory, in order of each directory's first file: one stage
    /// per directory however its files and subdirectories interleave in plan order; those of
    /// an `InstallTree` are left to it.
    public static func placements(_ plan: InstallPlan) -> [InstallGroup] {
        placements(plan, trees: InstallTree.find(plan))
    }

    static func placements(_ plan: InstallPlan, trees: [InstallTree]) -> [InstallGroup] {
        let steps = InstallTree.steps(trees)
        return placements(plan) { !steps.contains($0) }
    }

    static func directories(_ plan: InstallPlan, where keep: (Int) -> Bool) -> [InstallGroup] {
        byDirectory(
            plan.steps.enumerated().compactMap { index, step in
                if case .makeDirectory(let path) = step, keep(index) { return (index, path) }
                return nil
            })
    }

    static func placements(_ plan: InstallPlan, where keep: (Int) -> Bool) -> [InstallGroup] {
        byDirectory(
            plan.steps.enumerated().compactMap { index, step in
                keep(index) ? placed(step).map { (index, $0) } : nil
            })
    }

    /// The path a copy or link step places; nil for other steps.
    static func placed(_ step: InstallPlan.Step) -> String? {
        switch step {
        case .copyFile(_, let destination, _, _), .symlink(_, let destination, _): return destination
        case .makeDirectory, .retain, .keepFile, .keepDirectory: return nil
        }
    }

    private static func byDirectory(_ items: [(Int, String)]) -> [InstallGroup] {
        var groups: [InstallGroup] = []
        var open: [String: Int] = [:]
        for (index, path) in items {
            let directory = split(path).directory
            if let at = open[directory], groups[at].members.count < limit {
                groups[at].members.append(index)
            } else {
                open[directory] = groups.count
                groups.append(InstallGroup(directory: directory, members: [index]))
            }
        }
        return groups
    }
}
