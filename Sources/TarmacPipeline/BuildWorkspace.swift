import Foundation

/// A private temporary directory (`tarmac-build-…`, mode 0700) holding the clean export of one
/// commit in `src/`, where that commit's build commands run.
public struct BuildWorkspace: Sendable, Equatable {
    /// The temporary directory itself.
    public let path: String

    /// Where the commit is exported and the commands run.
    public var sourceDirectory: String { path + "/src" }

    /// Makes a new workspace with an empty `src/` under the system's temporary directory.
    static func create() throws -> BuildWorkspace {
        let base = NSTemporaryDirectory()
        var template = Array((base as NSString).appendingPathComponent("tarmac-build-XXXXXX").utf8CString)
        // mkdtemp makes the directory 0700: other users cannot read the source or plant files.
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        guard let made else {
            throw BuildError.workspace("cannot create a temporary directory in \(base): \(Self.lastError)")
        }
        let workspace = BuildWorkspace(path: made)
        guard mkdir(workspace.sourceDirectory, 0o755) == 0 else {
            let error = Self.lastError
            try? workspace.cleanup()  // best effort: the error thrown is the one to report
            throw BuildError.workspace("cannot create \(workspace.sourceDirectory): \(error)")
        }
        return workspace
    }

    /// Removes the workspace and all below it, read-only directories too (a Go module cache
    /// makes some); symlinks are removed, never followed. Nothing to do when it is gone.
    public func cleanup() throws {
        try Self.remove(Array(path.utf8CString))
    }

    /// Removes `path` (NUL-terminated bytes, so any name a build made survives) recursively.
    private static func remove(_ path: [CChar]) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw failure("inspect", path)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove", path) }
            return
        }
        // Listing needs r-x, removing entries needs -w-: give the owner all three first.
        _ = chmod(path, 0o700)
        guard let directory = opendir(path) else { throw failure("read", path) }
        var children: [[CChar]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 }.map { CChar(bitPattern: $0) })
            }
            if name == [46] || name == [46, 46] { continue }
            children.append(path.dropLast() + [47] + name + [0])
        }
        closedir(directory)
        for child in children { try remove(child) }
        guard rmdir(path) == 0 || errno == ENOENT else { throw failure("remove", path) }
    }

    private static func failure(_ action: String, _ path: [CChar]) -> BuildError {
        let error = lastError
        let name = String(decoding: path.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .workspace("cannot \(action) \(name) while cleaning up the build: \(error)")
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
