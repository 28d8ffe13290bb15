import Foundation
import Subprocess
import SystemPackage

extension GitRepository {
    /// Writes the tree of `commit` into `directory` (existing and empty): a clean export
    /// that never looks at the working tree, the index or HEAD.
    ///
    /// It is `git archive` unpacked by `tar -x`, so it is what a bundle of the commit holds:
    /// `export-ignore` paths are left out, `export-subst` is expanded, submodules are empty
    /// directories, modes come with umask 022 and line endings as committed.
    public func export(_ commit: String, to directory: String) async throws {
        let (readEnd, writeEnd) = try Self.makePipe()
        let tarArguments = ["-x", "-f", "-", "-C", directory, "--no-same-owner"]
        // Both ends are closed by whoever is spawned with them (or by the spawn that fails), so a
        // tar that cannot start makes git fail on a broken pipe rather than block.
        async let unpacked = Subprocess.run(
            .name("tar"), arguments: Arguments(tarArguments), environment: .inherit.updating(["LC_ALL": "C"]),
            input: .fileDescriptor(FileDescriptor(rawValue: readEnd), closeAfterSpawningProcess: true),
            output: .discarded, error: .bytes(limit: 64 * 1024))
        let archived = await Self.capture {
            try await GitCommand(directory: root).stream(
                ["-c", "tar.umask=022", "-c", "core.autocrlf=false", "archive", "--format=tar", commit],
                to: writeEnd)
        }
        let tar = try await unpacked
        try archived.get()
        guard tar.terminationStatus.isSuccess else {
            throw GitError(
                arguments: ["archive", commit, "|", "tar"] + tarArguments, status: "tar: \(tar.terminationStatus)",
                stderr: String(decoding: tar.standardError, as: UTF8.self))
        }
    }

    static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw GitError(arguments: [], status: "cannot create a pipe", stderr: String(cString: strerror(errno)))
        }
        // Close-on-exec: a process someone else spawns meanwhile must not hold an end open.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private static func capture(_ body: () async throws -> Void) async -> Result<Void, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
