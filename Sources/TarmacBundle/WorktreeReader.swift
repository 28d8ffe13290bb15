import Foundation
import TarmacCore
import TarmacGit

/// The working tree as `tarmac validate` sees it: tracked and untracked-but-not-ignored
/// files below the bundle root, read from the disk (the index is never touched).
public struct WorktreeReader: Sendable {
    public let repository: GitRepository
    public let root: String

    public init(repository: GitRepository, root: String) {
        self.repository = repository
        self.root = RevisionTree.normalize(root)
    }

    /// A snapshot of the working tree, shaped like a commit's, for the same validator.
    public func snapshot() async throws -> RevisionSnapshot {
        let prefix = root.isEmpty ? "" : root + "/"
        var tree = RevisionTree()
        var submodules: [String] = []
        for full in try await repository.worktreeFiles(under: root) where full.hasPrefix(prefix) {
            let path = String(full.dropFirst(prefix.count))
            var info = stat()
            guard lstat(repository.root + "/" + full, &info) == 0 else { continue }  // deleted, still in the index
            switch info.st_mode & S_IFMT {
            case S_IFLNK: tree.insert(path, .init(kind: .symlink))
            case S_IFDIR:
                tree.insert(path, .init(kind: .submodule))
                submodules.append(full)
            default:
                tree.insert(path, .init(kind: .file, executable: info.st_mode & 0o111 != 0, size: Int64(info.st_size)))
            }
        }
        var snapshot = RevisionSnapshot(
            commit: "working tree", revisionID: "working tree", commitTime: 0, root: root, tree: tree,
            appspecName: nil, appspecText: nil, submodules: submodules, unreadablePaths: [])
        guard let name = RevisionSnapshot.appspecNames.first(where: { tree.entry(at: $0)?.kind == .file }),
            let data = FileManager.default.contents(atPath: absolute(name))
        else { return snapshot }
        snapshot.appspecName = name
        snapshot.appspecText = String(decoding: data, as: UTF8.self)
        for script in RevisionValidator.scriptLocations(snapshot.appspecText ?? "") {
            if let bytes = FileManager.default.contents(atPath: absolute(RevisionTree.normalize(script))) {
                snapshot.tree.contents[RevisionTree.normalize(script)] = Array(bytes.prefix(64 * 1024))
            }
        }
        return snapshot
    }

    /// Validates the working tree's AppSpec and files.
    public func validate() async throws -> (RevisionSnapshot, [Diagnostic]) {
        let snapshot = try await snapshot()
        return (snapshot, RevisionValidator.validate(snapshot))
    }

    private func absolute(_ path: String) -> String {
        root.isEmpty ? "\(repository.root)/\(path)" : "\(repository.root)/\(root)/\(path)"
    }
}
