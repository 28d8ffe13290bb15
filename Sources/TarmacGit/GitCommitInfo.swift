import Foundation

extension GitRepository {
    /// The first line of a commit's message.
    public func subject(_ commit: String) async throws -> String {
        try await GitCommand(directory: root).text(["show", "-s", "--format=%s", commit, "--"])
    }

    /// The paths a commit changes against its first parent (everything, for a root commit).
    public func changedPaths(_ commit: String) async throws -> [String] {
        let out = try await GitCommand(directory: root).run([
            "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "--root", "-m", "--first-parent", commit,
        ]).stdout
        return out.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
