/// Whether a commit selected by the post-commit hook runs the pipeline, and why not.
public enum TriggerDecision: Sendable, Equatable {
    case run
    case skip(reason: String)
}

extension Pipeline.Trigger {
    /// Decides from the branch the commit was made on (nil: detached HEAD) and the paths it
    /// changed (nil: not known, e.g. no filter asked for them).
    ///
    /// A branch entry is a name or a glob (`release/*`). A path entry without glob characters
    /// selects that file or everything below that directory (`site` and `site/` alike); with
    /// them (`*`, `?`, `[`) it is a glob in which `*` also crosses `/` (`docs/*.md`, `*.go`).
    public func decide(branch: String?, changedPaths: [String]?) -> TriggerDecision {
        guard let branch else {
            return .skip(reason: "the commit was made on a detached HEAD, not on a branch of trigger.branches")
        }
        guard branches.contains(where: { Glob.matches($0, branch) }) else {
            return .skip(
                reason: "branch \(Quote.text(branch)) is not in trigger.branches [\(Quote.plainList(branches))]")
        }
        guard let paths else { return .run }
        let changed = changedPaths ?? []
        guard changed.contains(where: { path in paths.contains { Self.pathMatches($0, path) } }) else {
            let shown = changed.prefix(3).joined(separator: ", ") + (changed.count > 3 ? ", …" : "")
            return .skip(
                reason: "no changed path matches trigger.paths [\(Quote.plainList(paths))]"
                    + (changed.isEmpty ? " (the commit changes no file)" : " (changed: \(shown))"))
        }
        return .run
    }

    static func pathMatches(_ filter: String, _ path: String) -> Bool {
        if filter.contains(where: { "*?[".contains($0) }) { return Glob.matches(filter, path) }
        var directory = filter
        while directory.hasSuffix("/") { directory.removeLast() }
        while directory.hasPrefix("./") { directory.removeFirst(2) }
        if directory.isEmpty || directory == "." { return true }
        return path == directory || path.hasPrefix(directory + "/")
    }
}

/// Shell-style globs: `*` any run of characters (`/` included), `?` one, `[abc]`/`[!a-z]` a set.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        match(Array(pattern.unicodeScalars), 0, Array(text.unicodeScalars), 0)
    }

    private static func match(_ p: [Unicode.Scalar], _ pi: Int, _ t: [Unicode.Scalar], _ ti: Int) -> Bool {
        var pi = pi
        var ti = ti
        while pi < p.count {
            switch p[pi] {
            case "*":
                while pi < p.count && p[pi] == "*" { pi += 1 }
                if pi == p.count { return true }
                return (ti...t.count).contains { match(p, pi, t, $0) }
            case "?":
                guard ti < t.count else { return false }
            case "[":
                guard ti < t.count, let (matched, next) = set(p, pi, t[ti]) else {
                    if ti < t.count && p[pi] == t[ti] { break }
                    return false
                }
                guard matched else { return false }
                pi = next
                ti += 1
                continue
            default:
                guard ti < t.count, p[pi] == t[ti] else { return false }
            }
            pi += 1
            ti += 1
        }
        return ti == t.count
    }

    /// Matches `c` against the set starting at `p[start] == "["`; nil when the set is unclosed.
    private static func set(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        let negated = i < p.count && (p[i] == "!" || p[i] == "^")
        if negated { i += 1 }
        var found = false
        var first = true
        while i < p.count && (p[i] != "]" || first) {
            first = false
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                if p[i] <= c && c <= p[i + 2] { found = true }
                i += 3
            } else {
                if p[i] == c { found = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (found != negated, i + 1)
    }
}
