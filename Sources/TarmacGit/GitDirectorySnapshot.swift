import Foundation

extension GitRepository {
    /// Records the files of `directory` below `root` ("" or "." for all) as a commit whose
    /// parent is `parent`, and returns it with its tree id; the bytes are taken as they are.
    ///
    /// The user's index, HEAD, refs and working tree are untouched: git runs against a
    /// throwaway git directory and index, writing objects into this repository's object store.
    /// Every file is added (ignored ones too: build output usually is), with no attribute
    /// conversion (`text`, `eol`, `filter`, …) so the tree holds exactly what is on disk.
    /// Names `.git` are never recorded; a directory that holds a `.git` (a repository inside
    /// the output) is an error, as its files could not be recorded. Fixed identity and the
    /// parent's dates make identical files give an identical commit.
    public func snapshotDirectory(
        _ directory: String, root: String, parent: String, message: String
    ) async throws -> (commit: String, tree: String) {
        let repository = GitCommand(directory: self.root)
        let objects = try await repository.text(["rev-parse", "--path-format=absolute", "--git-path", "objects"])
        let objectFormat = try await repository.text(["rev-parse", "--show-object-format"])
        let time = try await commitTime(parent)
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("tarmac-snapshot-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let gitDir = try await Self.makeScratchGitDirectory(in: scratch, objectFormat: objectFormat)

        var git = GitCommand(directory: directory)
        git.extraEnvironment = [
            "GIT_DIR": gitDir, "GIT_WORK_TREE": directory, "GIT_INDEX_FILE": scratch + "/index",
            "GIT_OBJECT_DIRECTORY": objects,
            "GIT_AUTHOR_NAME": "tarmac", "GIT_AUTHOR_EMAIL": "tarmac@localhost",
            "GIT_COMMITTER_NAME": "tarmac", "GIT_COMMITTER_EMAIL": "tarmac@localhost",
            "GIT_AUTHOR_DATE": "@\(time) +0000", "GIT_COMMITTER_DATE": "@\(time) +0000",
        ]
        let pathspec = root.isEmpty ? "." : root
        let add = ["-c", "core.autocrlf=false", "-c", "core.safecrlf=false", "add", "-A", "-f", "--", pathspec]
        _ = try await git.run(add)
        if let nested = try await Self.firstGitlink(git) {
            throw GitError(
                arguments: add, status: "a repository inside the directory",
                stderr: "\(nested) holds a .git of its own, so its files cannot be recorded; "
                    + "remove \(nested)/.git in the build commands")
        }
        let tree = try await git.text(["write-tree"])
        let commit = try await git.text(["commit-tree", tree, "-p", parent, "-m", message])
        return (commit, tree)
    }

    /// A git directory of our own: no hooks, no config of the user's repository, and an
    /// `info/attributes` (which outranks every `.gitattributes`) that turns all conversions off.
    private static func makeScratchGitDirectory(in scratch: String, objectFormat: String) async throws -> String {
        let work = scratch + "/repository"
        _ = try await GitCommand(directory: scratch).run(
            ["init", "--quiet", "--template=", "--object-format=\(objectFormat)", work])
        let gitDir = work + "/.git"
        try FileManager.default.createDirectory(atPath: gitDir + "/info", withIntermediateDirectories: true)
        let attributes = "* -text -eol -crlf -filter -ident -working-tree-encoding\n"
        try Data(attributes.utf8).write(to: URL(fileURLWithPath: gitDir + "/info/attributes"))
        return gitDir
    }

    /// The path of the first submodule-like entry the index holds, if any.
    private static func firstGitlink(_ git: GitCommand) async throws -> String? {
        let out = try await git.run(["ls-files", "--stage", "-z"]).stdout
        for record in out.split(separator: 0) where record.starts(with: Array("160000 ".utf8)) {
            guard let tab = record.firstIndex(of: UInt8(ascii: "\t")) else { continue }
            return String(decoding: record[(tab + 1)...], as: UTF8.self)
        }
        return nil
    }
}
