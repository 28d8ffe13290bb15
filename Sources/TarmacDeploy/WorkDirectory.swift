import Foundation

/// A private scratch directory for a staged bundle: `.tarmac/work/<pid>-<uuid>` of the
/// repository. Those of tarmac processes that no longer run (killed mid-deployment, so their
/// cleanup never ran) are removed first: a staged bundle can be large.
public enum WorkDirectory {
    public static func make(repository: String, isRunning: (Int32) -> Bool) throws -> String {
        let base = repository + "/.tarmac/work"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
            guard let pid = name.split(separator: "-").first.flatMap({ Int32($0) }), pid != getpid(), !isRunning(pid)
            else { continue }
            try? FileManager.default.removeItem(atPath: base + "/" + name)
        }
        let path = base + "/\(getpid())-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// Removes it and all it holds.
    public static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
