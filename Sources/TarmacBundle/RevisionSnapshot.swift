import TarmacCore
import TarmacGit

/// One revision as the bundler sees it before writing anything: its ids, its file tree
/// below the bundle root, its AppSpec text and the bytes of the files validation reads.
public struct RevisionSnapshot: Sendable {
    public var commit: String
    /// The commit id, `<base>-dirty-<tree>` for a working-tree snapshot, or
    /// `<source>-build-<tree>` for a build output (see `BuiltRevision`).
    public var revisionID: String
    public var commitTime: Int64
    /// Bundle root inside the repository ("" for the whole tree).
    public var root: String
    public var tree: RevisionTree
    /// Name of the AppSpec file at the bundle root, if any.
    public var appspecName: String?
    public var appspecText: String?
    /// Submodules below the root: their contents never enter a bundle.
    public var submodules: [String]
    /// Paths git holds that are not valid UTF-8 (shown with escapes).
    public var unreadablePaths: [String]

    /// The AppSpec's path as the user knows it, e.g. `site/appspec.yml`.
    public var appspecDisplayPath: String {
        let name = appspecName ?? "appspec.yml"
        return root.isEmpty ? name : root + "/" + name
    }
}

extension RevisionSnapshot {
    static var appspecNames: [String] { AppSpecLocator.defaultNames }

    /// Reads `commit` from the repository: tree, AppSpec and hook scripts it names (and the
    /// commit time, unless the caller already has it).
    static func read(
        _ repository: GitRepository, commit: String, revisionID: String, root: String, commitTime: Int64? = nil,
        scriptsToRead: (String) -> [String]
    ) async throws -> RevisionSnapshot {
        let entries = try await repository.listTree(commit, under: root)
        var tree = RevisionTree()
        var objects: [String: String] = [:]
        var submodules: [String] = []
        var unreadable: [String] = []
        let prefix = root.isEmpty ? "" : root + "/"
        for entry in entries {
            guard let full = entry.path else {
                unreadable.append(String(decoding: entry.pathBytes, as: UTF8.self))
                continue
            }
            guard full.hasPrefix(prefix) else { continue }
            let path = String(full.dropFirst(prefix.count))
            switch entry.kind {
            case .file: tree.insert(path, .init(kind: .file, executable: false, size: entry.size))
            case .executable: tree.insert(path, .init(kind: .file, executable: true, size: entry.size))
            case .symlink: tree.insert(path, .init(kind: .symlink, size: entry.size))
            case .submodule:
                tree.insert(path, .init(kind: .submodule))
                submodules.append(full)
            }
            objects[path] = entry.object
        }
        let time: Int64
        if let commitTime { time = commitTime } else { time = try await repository.commitTime(commit) }
        var snapshot = RevisionSnapshot(
            commit: commit, revisionID: revisionID, commitTime: time,
            root: root, tree: tree, appspecName: nil, appspecText: nil,
            submodules: submodules, unreadablePaths: unreadable)
        if let name = appspecNames.first(where: { tree.entry(at: $0)?.kind == .file }), let object = objects[name] {
            snapshot.appspecName = name
            snapshot.appspecText = String(decoding: try await repository.readBlob(object), as: UTF8.self)
            for script in scriptsToRead(snapshot.appspecText ?? "") {
                let clean = RevisionTree.normalize(script)
                if let object = objects[clean], tree.entry(at: clean)?.kind == .file {
                    snapshot.tree.contents[clean] = Array(try await repository.readBlob(object).prefix(64 * 1024))
                }
            }
        }
        return snapshot
    }
}
