import TarmacCore

/// The revision's file list seen as a tree, and what one `files` mapping puts where
/// (spec §4.2 source resolution, §4.3 destination resolution).
struct InstallPlannerRevision {
    /// One thing a mapping installs, with its absolute host path.
    enum Item: Equatable, Sendable {
        /// A directory of the revision, re-created below the destination.
        case directory(path: String)
        /// A regular file or a symlink (re-created as a link, whatever it points to).
        case file(path: String, entry: BundleManifest.File)

        var path: String {
            switch self {
            case .directory(let path), .file(let path, _): return path
            }
        }
    }

    /// What a mapping resolves to.
    enum Resolution: Equatable, Sendable {
        /// The source names nothing in the revision.
        case missingSource
        /// The destination directory, then every item below it in walk order (directories
        /// before their contents, names in byte order).
        case installs(destination: String, items: [Item])
    }

    /// Entries by normalised relative path; implied parent directories included.
    private(set) var entries: [String: BundleManifest.File] = [:]
    /// Child paths of each directory ("" is the revision root), sorted by their bytes.
    private var children: [String: [String]] = [:]

    /// Indexes a revision's file list (paths relative to the revision root).
    init(files: [BundleManifest.File]) {
        var childSets: [String: Set<String>] = [:]
        for file in files {
            let path = RevisionTree.normalize(file.path)
            guard !path.isEmpty else { continue }
            var entry = file
            entry.path = path
            entries[path] = entry
            var child = path
            while true {
                let parent = InstallPlannerPaths.parent(child)
                childSets[parent, default: []].insert(child)
                if parent.isEmpty || entries[parent] != nil { break }
                entries[parent] = BundleManifest.File(path: parent, type: .directory, mode: "0755")
                child = parent
            }
        }
        children = childSets.mapValues { $0.sorted { $0.utf8Precedes($1) } }
    }

    /// Where a mapping's source lands: a directory's contents go into the destination, a file
    /// or symlink goes to `destination/<basename>`; `sourcePath` "" is the whole revision.
    func resolve(_ mapping: AppSpec.FileMapping) -> Resolution {
        let source = mapping.sourcePath
        let destination = mapping.destination
        if source.isEmpty { return .installs(destination: destination, items: walk("", into: destination)) }
        guard let entry = entries[source] else { return .missingSource }
        if entry.type == .directory {
            return .installs(destination: destination, items: walk(source, into: destination))
        }
        let target = InstallPlannerPaths.join(destination, InstallPlannerPaths.basename(source))
        return .installs(destination: destination, items: [.file(path: target, entry: entry)])
    }

    /// The contents of revision directory `directory`, placed under host directory `target`.
    private func walk(_ directory: String, into target: String) -> [Item] {
        var items: [Item] = []
        for child in children[directory] ?? [] {
            guard let entry = entries[child] else { continue }
            let path = InstallPlannerPaths.join(target, InstallPlannerPaths.basename(child))
            if entry.type == .directory {
                items.append(.directory(path: path))
                items += walk(child, into: path)
            } else {
                items.append(.file(path: path, entry: entry))
            }
        }
        return items
    }
}

/// An AppSpec's `files` mappings resolved against a revision's members, in the AppSpec's
/// order: what `InstallPlanner.probeRequest` and `InstallPlanner.unkept` walk. It depends on
/// nothing of a host, so a deployment works it out once for all its hosts instead of once per
/// host and probe (2,548 members walked, every path joined, for each).
public struct InstallMappings: Sendable {
    let resolutions: [InstallPlannerRevision.Resolution]
    /// The revision's entries by normalised path (implied directories included).
    let entries: [String: BundleManifest.File]

    public init(spec: AppSpec, files: [BundleManifest.File]) {
        let revision = InstallPlannerRevision(files: files)
        resolutions = spec.files.map { revision.resolve($0) }
        entries = revision.entries
    }
}
