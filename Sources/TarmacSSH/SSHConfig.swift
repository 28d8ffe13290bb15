/// The common keys of an OpenSSH client config (`~/.ssh/config`), parsed without I/O.
///
/// Supported: `Host` patterns (`*`, `?`, `!`), `HostName`, `User`, `Port`, `IdentityFile`
/// and `UserKnownHostsFile`. As in OpenSSH the first value found for a key wins (except
/// `IdentityFile`, which accumulates). `Match` blocks are skipped: their conditions are not
/// evaluated, so nothing under them applies.
public struct SSHConfig: Sendable, Equatable {
    /// One `Host` block (lines before the first `Host` form a block matching every host).
    struct Block: Sendable, Equatable {
        var patterns: [String]
        var options: [(key: String, value: String)]

        static func == (lhs: Block, rhs: Block) -> Bool {
            lhs.patterns == rhs.patterns && lhs.options.elementsEqual(rhs.options) { $0 == $1 }
        }
    }

    /// The settings that apply to one host name.
    public struct Settings: Sendable, Equatable {
        public var hostName: String?
        public var user: String?
        public var port: Int?
        public var identityFiles: [String] = []
        public var knownHostsFile: String?
    }

    var blocks: [Block]

    /// Parses config text; `home` expands `~` and `%d` in file names.
    public init(parsing text: String, home: String) {
        var blocks = [Block(patterns: ["*"], options: [])]
        var inMatch = false
        for raw in text.split(whereSeparator: \.isNewline) {
            guard let (key, value) = Self.keyValue(raw) else { continue }
            switch key {
            case "host":
                inMatch = false
                blocks.append(
                    Block(patterns: value.split(whereSeparator: \.isWhitespace).map(String.init), options: []))
            case "match":
                inMatch = true
            default:
                guard !inMatch else { continue }
                let expanded =
                    key == "identityfile" || key == "userknownhostsfile" ? Self.expand(value, home: home) : value
                blocks[blocks.count - 1].options.append((key, expanded))
            }
        }
        self.blocks = blocks
    }

    /// The settings for `host` (the name as the user would type it after `ssh`).
    public func settings(for host: String) -> Settings {
        var settings = Settings()
        for block in blocks where HostPattern.matchesList(block.patterns.map { Substring($0) }, host) {
            for (key, value) in block.options {
                switch key {
                case "hostname": settings.hostName = settings.hostName ?? value.replacing("%h", with: host)
                case "user": settings.user = settings.user ?? value
                case "port": settings.port = settings.port ?? Int(value)
                case "identityfile": settings.identityFiles.append(value)
                case "userknownhostsfile":
                    let first = value.split(whereSeparator: \.isWhitespace).first.map(String.init)
                    settings.knownHostsFile = settings.knownHostsFile ?? first
                default: break
                }
            }
        }
        return settings
    }

    /// `Key value` or `Key=value`, key lowercased, value unquoted; nil for blanks and comments.
    private static func keyValue(_ raw: Substring) -> (String, String)? {
        let line = raw.drop(while: \.isWhitespace)
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        guard let end = line.firstIndex(where: { $0.isWhitespace || $0 == "=" }) else { return nil }
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
