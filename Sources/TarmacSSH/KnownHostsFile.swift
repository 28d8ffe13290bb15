import Foundation

extension KnownHosts {
    /// The line `tarmac hosts trust` appends for a key: `[host]:port type base64`, or plain
    /// `host` on port 22; hashed (`|1|salt|hash`) when `hashed` is set.
    public static func line(for key: HostKey, host: String, port: Int, hashed: Bool = false) -> String {
        let name = hostName(host, port: port)
        let field: String
        if hashed {
            var salt = [UInt8](repeating: 0, count: 20)
            var generator = SystemRandomNumberGenerator()
            for index in salt.indices { salt[index] = generator.next() }
            field = HashedName(name: name, salt: salt).field
        } else {
            field = name
        }
        return "\(field) \(key.type) \(key.base64)"
    }

    /// Whether the file's host names are hashed (so a new line should be too).
    public var isHashed: Bool { !entries.isEmpty && entries.allSatisfy { $0.hosts.hasPrefix("|1|") } }

    /// Appends `line` to `path` with `O_APPEND`, never rewriting what is there: creates the
    /// directory (0700) and file (0600) if missing, and starts on a new line if the file does
    /// not end with one.
    public static func append(_ line: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KnownHostsError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var text = line.hasSuffix("\n") ? line : line + "\n"
        if !endsWithNewline(fd) { text = "\n" + text }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw KnownHostsError(path: path, operation: "write", errno: errno) }
    }

    private static func endsWithNewline(_ fd: Int32) -> Bool {
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 0 else { return true }
        var last: UInt8 = 0
        return pread(fd, &last, 1, status.st_size - 1) == 1 && last == UInt8(ascii: "\n")
    }
}

/// A known_hosts file could not be written.
public struct KnownHostsError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(errno)))" }
}

/// The known_hosts path is a device or a directory (`UserKnownHostsFile /dev/null`, say), so
/// host keys could neither be checked nor recorded.
public struct KnownHostsNotAFile: Error, Sendable, CustomStringConvertible {
    public var path: String

    public var description: String {
        "\(path) is not a regular file: tarmac checks every host key against known_hosts and never "
            + "skips the check (as `UserKnownHostsFile /dev/null` would); give the group a `known_hosts:` "
            + "file, or point UserKnownHostsFile at one, and record the keys with `tarmac hosts trust GROUP`"
    }
}
