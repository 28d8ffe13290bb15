/// What a run of the install program changed on the host, read from the progress it
/// recorded (see `InstallGroup`): the previous install's paths removed, and the new
/// revision's files and links placed. A failed run reports this instead of a guess.
public struct InstallProgress: Sendable, Equatable {
    /// Where the host stands.
    public enum Revision: Sendable, Equatable {
        /// Nothing was removed or placed: the earlier revision's files are as they were.
        case earlier
        /// Every file and link of the new revision is in place, none of the earlier left.
        case new
        /// Some of each (or the earlier files are partly gone).
        case mixed
    }

    /// How many of the previous install's paths were removed (or were already gone).
    public var removed: Int
    public var removalsPlanned: Int
    /// How many directories the install made.
    public var made: Int
    /// The new revision's files and links that are in place, in plan order.
    public var placed: [String]
    /// The new revision's files and links that are not.
    public var unplaced: [String]

    public init(removed: Int, removalsPlanned: Int, made: Int, placed: [String], unplaced: [String]) {
        self.removed = removed
        self.removalsPlanned = removalsPlanned
        self.made = made
        self.placed = placed
        self.unplaced = unplaced
    }

    public var revision: Revision {
        if removed == 0 && made == 0 && placed.isEmpty { return .earlier }
        if removed == removalsPlanned && unplaced.isEmpty { return .new }
        return .mixed
    }

    /// Reads the progress lines of a run of `plan`'s program.
    public static func read(_ lines: [ProgramLine], plan: InstallPlan) -> InstallProgress {
        let removals = InstallGroup.removals(plan)
        let trees = InstallTree.find(plan)
        var (directories, placements) = (
            named(InstallGroup.directories(plan, trees: trees)), named(InstallGroup.placements(plan, trees: trees))
        )
        for (number, tree) in trees.enumerated() where tree.mayExist {
            let fallback = tree.fallback(plan)
            directories.merge(named(fallback.directories, "\(number)-")) { a, _ in a }
            placements.merge(named(fallback.placements, "\(number)-")) { a, _ in a }
        }
        var removed = 0
        var made = 0
        var placedSteps: Set<Int> = []
        for case .step(let name, "ok") in lines {
            let parts = name.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let id = String(parts[1])
            let (group, member) = numbers(parts[1])
            switch parts[0] {
            case "removed" where removals.indices.contains(group): removed += removals[group].members.count
            case "gone" where removals.indices.contains(group) && member != nil: removed += 1
            case "made": made += directories[id]?.count ?? 0
            case "placed": placedSteps.formUnion(placements[id] ?? [])
            case "tree" where trees.indices.contains(group):
                made += 1 + trees[group].directories.count
                placedSteps.formUnion(trees[group].steps)
            case "put":
                guard let dot = id.lastIndex(of: "."), let at = Int(id[id.index(after: dot)...]),
                    let members = placements[String(id[..<dot])], members.indices.contains(at)
                else { continue }
                placedSteps.insert(members[at])
            default: continue
            }
        }
        var progress = InstallProgress(
            removed: min(removed, plan.removals.count), removalsPlanned: plan.removals.count, made: made, placed: [],
            unplaced: [])
        for (index, step) in plan.steps.enumerated() {
            guard let path = InstallGroup.placed(step) else { continue }
            if placedSteps.contains(index) { progress.placed.append(path) } else { progress.unplaced.append(path) }
        }
        return progress
    }

    /// Groups by the id the program prints for them.
    private static func named(_ groups: [InstallGroup], _ prefix: String = "") -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: groups.enumerated().map { (prefix + String($0.offset), $0.element.members) })
    }

    /// `3` → (3, nil); `3.7` → (3, 7); anything else → (-1, nil).
    private static func numbers(_ text: Substring) -> (Int, Int?) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let group = parts.first.flatMap({ Int($0) }) else { return (-1, nil) }
        return (group, parts.count == 2 ? Int(parts[1]) : nil)
    }

    /// Where the host stands, in words, naming at most `limit` paths of each kind.
    public func summary(limit: Int = 5) -> String {
        switch revision {
        case .earlier:
            return "keeps its earlier revision's files (Install failed before changing any)"
        case .new:
            return "has the new revision's files (all \(placed.count) placed; Install did not finish)"
        case .mixed:
            var text =
                "has a mix of revisions: Install cleaned up \(removed) of the earlier revision's \(removalsPlanned) paths, "
                + "made \(made) directories and placed \(placed.count) of the new revision's \(placed.count + unplaced.count) files"
            if !placed.isEmpty { text += "; placed: " + Self.list(placed, limit: limit) }
            if !unplaced.isEmpty { text += "; not placed: " + Self.list(unplaced, limit: limit) }
            return text
        }
    }

    static func list(_ paths: [String], limit: Int) -> String {
        let shown = paths.prefix(limit).map { InstallPlannerPaths.quoted($0) }.joined(separator: ", ")
        return paths.count > limit ? shown + " and \(paths.count - limit) more" : shown
    }
}

extension InstallProgram {
    /// What went wrong, from the program's lines: the failed step's path (looked up by the index
    /// the program printed) and its note. Nil when no step failed.
    public static func failure(in lines: [ProgramLine], plan: InstallPlan) -> PlanProblem? {
        var failed: String?
        var note = ""
        for line in lines {
            switch line {
            case .step(let name, "failed"): failed = name
            case .note(let text) where failed != nil && note.isEmpty: note = text
            default: break
            }
        }
        guard let failed else { return nil }
        let parts = failed.split(separator: ":", maxSplits: 1)
        let index = parts.count == 2 ? Int(parts[1]) : nil
        return PlanProblem(
            path: path(kind: parts.first.map(String.init) ?? "", index: index, plan: plan), message: note)
    }

    static func path(kind: String, index: Int?, plan: InstallPlan) -> String {
        guard let index else { return kind }
        switch kind {
        case "remove": return plan.removals.indices.contains(index) ? plan.removals[index] : kind
        case "copy", "link", "mkdir", "keep":
            guard plan.steps.indices.contains(index) else { return kind }
            switch plan.steps[index] {
            case .makeDirectory(let path), .retain(let path), .keepFile(let path, _), .keepDirectory(let path, _):
                return path
            case .copyFile(_, let path, _, _), .symlink(_, let path, _): return path
            }
        default:
            return plan.permissions.indices.contains(index) ? plan.permissions[index].path : kind
        }
    }
}
