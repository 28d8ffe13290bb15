import Foundation

extension GitRepository {
    /// Records the working tree as it stands (tracked + untracked-not-ignored) as a commit
    /// on top of HEAD, without touching the user's index, and returns it with its tree id.
    ///
    /// A temporary index is seeded from the real one, `git add -A` runs against it, and the
    /// commit gets fixed identity and HEAD's dates, so the same tree gives the same commit.
    public func snapshotWorktree() async throws -> (commit: String, tree: String, base: String) {
        let base = try await resolveCommit("HEAD")
        let gitDir = try await GitCommand(directory: root).text(["rev-parse", "--absolute-git-dir"])
        let temp = FileManager.default.temporaryDirectory
            .appendingPathComponent("tarmac-index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let realIndex = gitDir + "/index"
        if FileManager.default.fileExists(atPath: realIndex) {
            try FileManager.default.copyItem(atPath: realIndex, toPath: temp)
        }
        let time = try await commitTime(base)
        var git = GitCommand(directory: root)
        git.extraEnvironment = [
            "GIT_INDEX_FILE": temp,
            "GIT_AUTHOR_NAME": "tarmac", "GIT_AUTHOR_EMAIL": "tarmac@localhost",
            "GIT_COMMITTER_NAME": "tarmac", "GIT_COMMITTER_EMAIL": "tarmac@localhost",
            "GIT_AUTHOR_DATE": "@\(time) +0000", "GIT_COMMITTER_DATE": "@\(time) +0000",
        ]
        _ = try await git.run(["add", "-A", "--", "."])
        let tree = try await git.text(["write-tree"])
        let commit = try await git.text(["commit-tree", tree, "-p", base, "-m", "tarmac: working tree snapshot"])
        return (commit, tree, base)
    }

    /// Streams `git archive --format=tar` of `commit` (limited to `directory`) into `fd`.
    ///
    /// Modes are taken with umask 022 and line endings as committed, whatever the user's
    /// `tar.umask` or `core.autocrlf` say, so every clone produces the same bytes.
    public func archive(_ commit: String, under directory: String, to fd: Int32) async throws {
        var args = ["-c", "tar.umask=022", "-c", "core.autocrlf=false", "archive", "--format=tar", commit]
        if !directory.isEmpty { args += ["--", directory] }
        try await GitCommand(directory: root).stream(args, to: fd)
    }
}
