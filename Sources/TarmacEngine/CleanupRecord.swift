import TarmacCore

/// `deployment-instructions/<group-id>-cleanup`: what the last Install of a group created,
/// one absolute path per line in creation order (spec §4.8), SELinux labels as
/// `semanage` NUL path. Byte-compatible with CodeDeploy's file, except that a path holding a
/// newline or a backslash (which a line cannot carry) is written as `escaped` NUL path with
/// `\n` and `\\` escapes.
public struct CleanupRecord: Sendable, Equatable {
    public var paths: [String]
    /// Paths whose SELinux file-context rule this Install added.
    public var selinuxLabels: [String]

    public init(paths: [String] = [], selinuxLabels: [String] = []) {
        self.paths = paths
        self.selinuxLabels = selinuxLabels
    }

    /// Parses the file's bytes: a last line without its newline was being written when a run
    /// died and is dropped; empty lines, lines with `..` components and relative paths are skipped.
    public static func parse(_ bytes: [UInt8]) -> CleanupRecord {
        var record = CleanupRecord()
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last != 0x0A { lines.removeLast() } else { lines.removeLast() }  // partial or the empty tail
        for raw in lines {
            if let nul = raw.firstIndex(of: 0) {
                let tag = String(decoding: raw[raw.startIndex..<nul], as: UTF8.self)
                let value = String(decoding: raw[(nul + 1)...], as: UTF8.self)
                if tag == "semanage", isSafe(value) { record.selinuxLabels.append(value) }
                if tag == "escaped", let path = unescape(value), isSafe(path) { record.paths.append(path) }
                continue
            }
            let path = String(decoding: raw, as: UTF8.self)
            if isSafe(path) { record.paths.append(path) }
        }
        return record
    }

    /// The file's bytes.
    public func render() -> [UInt8] {
        var bytes: [UInt8] = []
        for path in paths {
            if path.containsASCII("\n") || path.containsASCII("\\") {
                let escaped = path.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
                bytes += Array("escaped".utf8) + [0] + Array(escaped.utf8) + [0x0A]
            } else {
                bytes += Array(path.utf8) + [0x0A]
            }
        }
        for path in selinuxLabels { bytes += Array("semanage".utf8) + [0] + Array(path.utf8) + [0x0A] }
        return bytes
    }

    static func unescape(_ text: String) -> String? {
        var out = ""
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            guard c == "\\" else { out.append(c); continue }
            switch iterator.next() {
            case "n": out.append("\n")
            case "\\": out.append("\\")
            default: return nil
            }
        }
        return out
    }

    static func isSafe(_ path: String) -> Bool {
        let components = PathComponents(of: path)
        return path.utf8.first == UInt8(ascii: "/") && !components.hasNUL && !components.hasDotDot
    }
}
