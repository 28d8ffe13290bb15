/// An OpenSSH client config (`~/.ssh/config`), parsed without I/O.
///
/// Honoured: `Host` patterns (`*`, `?`, `!`), `Match` with `all`, `host`, `originalhost`, `localuser`,
/// `Include` (when the caller gives a reader), `HostName`, `User`, `Port`, `IdentityFile`,
/// `UserKnownHostsFile` and `ProxyJump`. As in OpenSSH the first value found for a key wins
/// (except `IdentityFile`, which accumulates). A key that would change where or how the
/// connection is made and that tarmac does not implement (`SSHConfig.refusedKeys`) is an
/// error naming the key, its file:line and the host, never ignored.
public struct SSHConfig: Sendable, Equatable {
    /// One option line, with where it was written.
    struct Option: Sendable, Equatable {
        var key: String
        var value: String
        var file: String
        var line: Int
    }

    /// What selects a block: `Host` patterns, or a `Match` line's criteria (lines before the
    /// first `Host` form a block matching every host).
    enum Selector: Sendable, Equatable {
        case host([String])
        case match([String], file: String, line: Int)
    }

    struct Block: Sendable, Equatable {
        var selector: Selector
        var options: [Option]
    }

    /// A config key or `Match` criterion tarmac cannot honour, found while resolving a host.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var key: String
        public var host: String
        public var reason: String

        public var description: String {
            (line > 0 ? "\(file):\(line)" : file) + ": error: \(key) (for host \(host)) \(reason)"
        }
    }

    /// Reads the files an `Include` names: given the pattern (already made absolute), the
    /// matching files' paths and texts, in order.
    public typealias IncludeReader = @Sendable (String) -> [(path: String, text: String)]

    var blocks: [Block]
    /// The file parsed (for messages).
    let path: String

    /// Parses config text written in `path` (for messages); `home` expands `~` and `%d` in
    /// file names. Without `include`, an `Include` line is refused when it applies.
    public init(parsing text: String, path: String = "~/.ssh/config", home: String, include: IncludeReader? = nil) {
        var blocks = [Block(selector: .host(["*"]), options: [])]
        Self.parse(text, path: path, home: home, include: include, depth: 0, into: &blocks)
        self.blocks = blocks
        self.path = path
    }

    private static func parse(
        _ text: String, path: String, home: String, include: IncludeReader?, depth: Int, into blocks: inout [Block]
    ) {
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard let (key, value) = keyValue(raw) else { continue }
            let line = index + 1
            switch key {
            case "host":
                blocks.append(Block(selector: .host(words(value)), options: []))
            case "match":
                blocks.append(Block(selector: .match(words(value), file: path, line: line), options: []))
            case "include" where include != nil && depth < 16:
                let current = blocks[blocks.count - 1].selector
                for pattern in words(value) {
                    var absolute = expand(pattern, home: home)
                    if !absolute.hasPrefix("/") { absolute = home + "/.ssh/" + absolute }
                    for file in include!(absolute) {
                        parse(file.text, path: file.path, home: home, include: include, depth: depth + 1, into: &blocks)
                    }
                }
                // As in OpenSSH, the including block's condition holds again after the file.
                blocks.append(Block(selector: current, options: []))
            default:
                let paths = ["identityfile", "userknownhostsfile", "certificatefile"]
                let expanded = paths.contains(key) ? expand(value, home: home) : value
                blocks[blocks.count - 1].options.append(Option(key: key, value: expanded, file: path, line: line))
            }
        }
    }

    private static func words(_ value: String) -> [String] {
        value.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// `Key value` or `Key=value`, key lowercased, value unquoted; nil for blanks and comments.
    private static func keyValue(_ raw: Substring) -> (String, String)? {
        let line = raw.drop(while: \.isWhitespace)
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        guard let end = line.firstIndex(where: { $0.isWhitespace || $0 == "=" }) else {
            return (line.lowercased(), "")
        }
        var value = line[end...].drop(while: { $0.isWhitespace || $0 == "=" })
        while let last = value.last, last.isWhitespace { value = value.dropLast() }
        if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
        return (line[..<end].lowercased(), String(value))
    }

    static func expand(_ path: String, home: String) -> String {
        var path = path.replacing("%d", with: home)
        if path == "~" || path.hasPrefix("~/") { path = home + path.dropFirst() }
        return path
    }
}
