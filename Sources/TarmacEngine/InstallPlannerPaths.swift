import TarmacCore

/// Path arithmetic and message wording shared by the install and permission planners.
/// Paths are plain strings: nothing here touches a disk or normalises Unicode.
enum InstallPlannerPaths {
    /// `base` + `/` + `relative`, without doubling the slash under `/`.
    static func join(_ base: String, _ relative: String) -> String {
        guard !relative.isEmpty else { return base }
        return base == "/" ? "/" + relative : base + "/" + relative
    }

    /// The last component (`config/app.conf` → `app.conf`). Split at the last `/` byte, as a
    /// file system does (and far faster than by `Character`).
    static func basename(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(decoding: path.utf8[path.utf8.index(after: slash)...], as: UTF8.self)
    }

    /// The parent directory (`a/b` → `a`, `/a` → `/`, `a` → ``).
    static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return slash == path.startIndex ? "/" : String(decoding: path.utf8[..<slash], as: UTF8.self)
    }

    /// Every ancestor of an absolute path below `/`, top-down, then the path itself:
    /// `/a/b/c` → `/a`, `/a/b`, `/a/b/c`.
    static func chain(_ absolute: String) -> [String] {
        var result: [String] = []
        var current = ""
        for component in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            result.append(current)
        }
        return result
    }

    /// `path` relative to the directory `object`, or nil when it is not strictly below it.
    static func relative(_ path: String, under object: String) -> String? {
        // Compared as bytes: a file system does not fold Unicode, so neither does matching.
        let prefix = Array((object == "/" ? "/" : object + "/").utf8)
        let bytes = Array(path.utf8)
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
        return String(decoding: bytes[prefix.count...], as: UTF8.self)
    }

    /// A value for a message: double-quoted, with quotes, backslashes and control characters
    /// escaped so a message stays on one line; every other character is kept as it is.
    static func quoted(_ value: String) -> String {
        Quote.text(value)
    }

    /// `appspec.yml:12:7`, for naming the entry a problem comes from.
    static func place(_ location: SourceLocation) -> String {
        "\(location.file):\(location.line):\(location.column)"
    }

    /// A manifest mode string (`"0644"`) as permission bits, or nil when it is not octal.
    /// setuid and setgid are dropped: a bundle does not decide them, the AppSpec's
    /// `permissions` do (they are applied after the copy).
    static func mode(_ text: String) -> UInt32? {
        guard !text.isEmpty, text.count <= 6, let value = UInt32(text, radix: 8) else { return nil }
        return value & 0o1777
    }
}
