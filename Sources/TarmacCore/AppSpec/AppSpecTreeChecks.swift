/// Checks an AppSpec against the revision it ships in: sources and scripts exist, scripts
/// look runnable, and destinations do not fall into the "destination is a directory" trap.
struct AppSpecTreeChecks {
    let spec: AppSpec
    let tree: RevisionTree

    /// The most root entries listed in a "does not exist" message.
    static let rootListingLimit = 20

    func run() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // Built once: nil when the tree does not know its links' targets (git's listing).
        let resolver = tree.linkResolver
        for mapping in spec.files { diagnostics += check(mapping, resolver) }
        var seen = Set<String>()
        for event in spec.hooks {
            for script in event.scripts {
                let first = seen.insert(script.location).inserted
                diagnostics += check(script, event: event.name, inspectContents: first, resolver)
            }
        }
        return diagnostics
    }

    private func check(_ mapping: AppSpec.FileMapping, _ resolver: LinkResolver?) -> [Diagnostic] {
        let name = "files source \(Quote.text(mapping.source))"
        guard let entry = tree.entry(at: mapping.sourcePath) else {
            return [.error("\(name) does not exist in the revision; \(rootListing())", at: mapping.location)]
        }
        if entry.kind == .submodule {
            return [
                .error(
                    "\(name) is a Git submodule, whose files are not part of the revision; "
                        + "vendor the files or copy them in a build step", at: mapping.location)
            ]
        }
        if let resolver {
            let leaving = MemberRules.mappingLinkProblems(source: mapping.sourcePath, resolver)
            if !leaving.isEmpty { return leaving.map { .error("\(name): \($0)", at: mapping.location) } }
        }
        let base = PathRules.lastComponent(mapping.sourcePath)
        guard entry.kind == .file, !base.isEmpty, PathRules.lastComponent(mapping.destination) == base else {
            return []
        }
        let parent = String(mapping.destination.dropLast(base.count + 1))
        return [
            .warning(
                "files destination \(Quote.text(mapping.destination)) ends with the source's own name; destination is "
                    + "always a directory, so the file lands at \(mapping.destination)/\(base); "
                    + "write destination: \(parent.isEmpty ? "/" : parent)", at: mapping.location)
        ]
    }

    private func check(_ script: AppSpec.HookScript, event: String, inspectContents: Bool, _ resolver: LinkResolver?)
        -> [Diagnostic]
    {
        let name = "hooks.\(event) script \(Quote.text(script.location))"
        let at = script.pathLocation
        if let verdict = linkVerdict(script.location, resolver) {
            return verdict.map { [.error("\(name) \($0)", at: at)] } ?? []
        }
        guard let entry = tree.entry(at: script.location) else {
            var message = "\(name) does not exist in the revision"
            let files = tree.entries.filter { $0.value.kind == .file }.map(\.key)
            if let guess = Spelling.closest(to: script.location, in: files) {
                message += "; did you mean \(Quote.text(guess))?"
            } else {
                message += "; \(rootListing())"
            }
            return [.error(message, at: at)]
        }
        switch entry.kind {
        case .directory, .submodule:
            return [
                .error(
                    "\(name) is a \(entry.kind == .directory ? "directory" : "Git submodule"); "
                        + "location must name the script file", at: at)
            ]
        case .symlink:
            return []
        case .file:
            var diagnostics: [Diagnostic] = []
            if !entry.executable {
                diagnostics.append(
                    .warning(
                        "\(name) is not executable in the revision; tarmac makes it executable on the host, but commit "
                            + "the bit with: git update-index --chmod=+x \(script.location)", at: at))
            }
            if inspectContents, let bytes = tree.contents[script.location] {
                diagnostics += ScriptContentCheck.run(bytes, name: name, at: at)
            }
            return diagnostics
        }
    }

    /// For a location that goes through symlinks of the revision (whose targets are known):
    /// `.some(nil)` when it resolves to a regular file inside the revision, else why not (a chain
    /// out of the revision, a loop, a directory). nil when no link is involved.
    private func linkVerdict(_ location: String, _ resolver: LinkResolver?) -> String?? {
        guard let resolver else { return nil }
        if case .inside(_, _, let hops) = resolver.resolve(location), hops.isEmpty { return nil }
        return .some(MemberRules.hookLocationProblem(location, resolver))
    }

    /// "the revision root holds: a, b, c" (or a count when there are many entries).
    private func rootListing() -> String {
        let root = tree.entries.keys.filter { !$0.containsASCII("/") }.sorted()
        if root.isEmpty { return "the revision is empty" }
        if root.count > Self.rootListingLimit { return "the revision root holds \(root.count) entries" }
        return "the revision root holds: " + Quote.plainList(root)
    }
}
