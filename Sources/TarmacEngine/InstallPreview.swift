import TarmacCore

/// What an install would change on a host, file by file, against what the host has
/// (`tarmac plan`): computed from the plan, the bundle's manifest and the host's digests.
public struct InstallPreview: Sendable, Equatable {
    /// Destinations that do not exist yet.
    public var added: [String] = []
    /// Destinations that exist with other content (or could not be compared).
    public var changed: [String] = []
    /// Destinations whose content is already the bundle's.
    public var unchanged: [String] = []
    /// Paths of the previous install that this one does not write again.
    public var removed: [String] = []
    /// Existing files RETAIN keeps as they are.
    public var retained: [String] = []

    public init() {}

    /// The files whose digest the host must report: copy destinations that exist as files.
    public static func pathsToDigest(_ plan: InstallPlan, facts: HostFacts) -> [String] {
        plan.steps.compactMap { step in
            guard case .copyFile(_, let destination, _, _) = step, facts.paths[destination] == .file else { return nil }
            return destination
        }
    }

    /// Compares the plan with the host. `digests` maps destination paths to their SHA-256 on the host.
    public static func make(
        plan: InstallPlan, files: [BundleManifest.File], facts: HostFacts, digests: [String: String]
    ) -> InstallPreview {
        let bundleDigests = Dictionary(files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        var preview = InstallPreview()
        var written: Set<String> = []
        for step in plan.steps {
            switch step {
            case .makeDirectory(let path):
                written.insert(path)
            case .copyFile(let source, let destination, _, _):
                written.insert(destination)
                let existing = facts.paths[destination] ?? .missing
                if existing == .missing {
                    preview.added.append(destination)
                } else if let theirs = digests[destination], let ours = bundleDigests[source] ?? nil,
                    theirs.lowercased() == ours.lowercased()
                {
                    preview.unchanged.append(destination)
                } else {
                    preview.changed.append(destination)
                }
            case .symlink(_, let destination, _):
                written.insert(destination)
                let existing = facts.paths[destination] ?? .missing
                if existing == .missing {
                    preview.added.append(destination)
                } else {
                    preview.changed.append(destination)
                }
            case .retain(let destination):
                written.insert(destination)
                preview.retained.append(destination)
            case .keepFile(let destination, _):
                written.insert(destination)
                preview.unchanged.append(destination)
            case .keepDirectory(let path, _):
                written.insert(path)
            }
        }
        preview.removed = plan.removals.filter { !written.contains($0) }
        return preview
    }
}
