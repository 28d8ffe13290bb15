/// Finds the AppSpec file of a revision with one fallback chain used everywhere (spec 1.1).
public enum AppSpecLocator {
    /// The names tried after a configured name, in order.
    public static let defaultNames = ["appspec.yml", "appspec.yaml"]

    /// The AppSpec's path in `tree`: `configured` if given, then `appspec.yml`, then `appspec.yaml`.
    ///
    /// Returns nil with an error listing the revision root when none of them is a file.
    public static func locate(in tree: RevisionTree, configured: String? = nil) -> (String?, [Diagnostic]) {
        var candidates = defaultNames
        if let configured, !configured.isEmpty {
            candidates.removeAll { $0 == configured }
            candidates.insert(configured, at: 0)
        }
        var diagnostics: [Diagnostic] = []
        for name in candidates {
            guard let entry = tree.entry(at: name) else { continue }
            guard entry.kind == .file else {
                diagnostics.append(
                    .error(
                        "\(Quote.text(name)) in the revision root is a \(entry.kind.rawValue), not a file; "
                            + "the AppSpec must be a regular file"))
                continue
            }
            let ignored = candidates.drop { $0 != name }.dropFirst().filter { tree.entry(at: $0)?.kind == .file }
            for other in ignored {
                diagnostics.append(
                    .warning("the revision has both \(name) and \(other); tarmac uses \(name) and ignores \(other)"))
            }
            return (name, diagnostics)
        }
        diagnostics.append(.error(missingMessage(tree, candidates)))
        return (nil, diagnostics)
    }

    private static func missingMessage(_ tree: RevisionTree, _ candidates: [String]) -> String {
        let root = tree.entries.keys.filter { !$0.containsASCII("/") }.sorted()
        var message = "the revision has no AppSpec: none of \(Quote.plainList(candidates)) is at its root"
        if let near = root.first(where: { candidates.map { $0.lowercased() }.contains($0.lowercased()) }) {
            message += "; rename \(Quote.text(near)) to \(Quote.text(candidates[0])) (names are case-sensitive)"
        } else if root.isEmpty {
            message += "; the revision is empty"
        } else if root.count <= 20 {
            message += "; the root holds: \(Quote.plainList(root))"
        } else {
            message += "; add appspec.yml next to the \(root.count) entries of the root, or set bundle.root"
        }
        return message
    }
}
