import Foundation

/// One entry of `git ls-tree -r -l`: a blob, a symlink or a submodule.
public struct GitTreeEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case file, executable, symlink, submodule }
    public var kind: Kind
    public var object: String
    public var size: Int64
    /// Path from the repository root, raw bytes as git stores them.
    public var pathBytes: [UInt8]

    /// The path as a string, or nil when it is not valid UTF-8.
    public var path: String? { String(validating: pathBytes, as: UTF8.self) }
}

/// One line of `git status --porcelain -z`: a change the working tree has and HEAD does not.
public struct GitStatusEntry: Sendable, Equatable {
    public var code: String
    public var path: String
    public var isUntracked: Bool { code == "??" }
}

/// A Git working tree read through the `git` command line.
public struct GitRepository: Sendable {
    /// Absolute path of the working tree's top directory.
    public let root: String

    private var git: GitCommand { GitCommand(directory: root) }

    /// The repository that contains `directory`, or an error that says it is not one.
    public static func discover(from directory: String) async throws -> GitRepository {
        let top = try await GitCommand(directory: directory).text(["rev-parse", "--show-toplevel"])
        return GitRepository(root: top)
    }

    public init(root: String) {
        self.root = root
    }

    /// The full commit id a revision names (`HEAD`, a branch, a tag, a short id).
    public func resolveCommit(_ revision: String) async throws -> String {
        try await git.text(["rev-parse", "--verify", "--quiet", "--end-of-options", "\(revision)^{commit}"])
    }

    /// The absolute path of the hook `name` (`post-commit`), wherever git looks for it:
    /// `.git/hooks`, a linked worktree's common directory, or `core.hooksPath`.
    public func hookPath(_ name: String) async throws -> String {
        let path = try await git.text(["rev-parse", "--git-path", "hooks/" + name])
        // git answers relative to the directory it ran in, which is the top level.
        return path.hasPrefix("/") ? path : root + "/" + path
    }

    /// The committer time of a commit, in seconds since the epoch.
    public func commitTime(_ commit: String) async throws -> Int64 {
        let text = try await git.text(["show", "-s", "--format=%ct", commit, "--"])
        guard let value = Int64(text) else {
            throw GitError(arguments: ["show", commit], status: "unexpected output", stderr: text)
        }
        return value
    }

    /// The current branch name, or nil on a detached HEAD.
    public func currentBranch() async throws -> String? {
        let (status, out) = try await git.run(["symbolic-ref", "--quiet", "--short", "HEAD"], allowFailure: true)
        guard status == 0 else { return nil }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// Every blob, symlink and submodule of `commit` below `directory` ("" for all).
    public func listTree(_ commit: String, under directory: String) async throws -> [GitTreeEntry] {
        var args = ["ls-tree", "-r", "-z", "-l", "--full-tree", commit]
        if !directory.isEmpty { args += ["--", directory] }
        let out = try await git.run(args).stdout
        return try out.split(separator: 0).map { try GitRepository.parseTreeLine(Array($0)) }
    }

    static func parseTreeLine(_ line: [UInt8]) throws -> GitTreeEntry {
        guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else {
            throw GitError(arguments: ["ls-tree"], status: "unexpected output", stderr: "")
        }
        let fields = String(decoding: line[..<tab], as: UTF8.self).split(separator: " ")
        guard fields.count >= 4 else {
            throw GitError(arguments: ["ls-tree"], status: "unexpected output", stderr: "")
        }
        let kind: GitTreeEntry.Kind
        switch fields[0] {
        case "100755": kind = .executable
        case "120000": kind = .symlink
        case "160000": kind = .submodule
        default: kind = .file
        }
        return GitTreeEntry(
            kind: kind, object: String(fields[2]), size: Int64(fields[3]) ?? 0,
            pathBytes: Array(line[(tab + 1)...]))
    }

    /// The bytes of the blob at `path` in `commit`, or nil when there is none.
    public func readFile(_ commit: String, path: String) async throws -> [UInt8]? {
        let (status, out) = try await git.run(["cat-file", "blob", "\(commit):\(path)"], allowFailure: true)
        return status == 0 ? out : nil
    }

    /// The bytes of a blob by object id.
    public func readBlob(_ object: String) async throws -> [UInt8] {
        try await git.run(["cat-file", "blob", object]).stdout
    }

    /// What the working tree has that HEAD does not, below `directory`.
    public func status(under directory: String) async throws -> [GitStatusEntry] {
        var args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]
        if !directory.isEmpty { args += ["--", directory] }
        let out = try await git.run(args).stdout
        return out.split(separator: 0).compactMap { record in
            guard record.count > 3 else { return nil }
            let code = String(decoding: record.prefix(2), as: UTF8.self)
            return GitStatusEntry(code: code, path: String(decoding: record.dropFirst(3), as: UTF8.self))
        }
    }

    /// Paths of tracked and untracked-but-not-ignored files of the working tree below `directory`.
    public func worktreeFiles(under directory: String) async throws -> [String] {
        var args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name"]
        if !directory.isEmpty { args += ["--", directory] }
        let out = try await git.run(args).stdout
        return Array(Set(out.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })).sorted()
    }
}
