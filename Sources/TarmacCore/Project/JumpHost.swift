/// One hop of an OpenSSH `ProxyJump` chain: `[user@]host[:port]` (an IPv6 address in
/// brackets: `[fd00::1]:2222`). Nil fields were not written: the hop's ssh_config entry, then
/// OpenSSH's defaults, fill them in.
public struct JumpHost: Sendable, Hashable, CustomStringConvertible {
    public var user: String?
    public var host: String
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    public var description: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return (user.map { $0 + "@" } ?? "") + name + (port.map { ":\($0)" } ?? "")
    }

    /// Why a `ProxyJump` value cannot be used.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses a chain: hops separated by commas, first hop first; `none` is the empty chain
    /// (no jump). `ssh://` URIs are refused (rarely written; say so rather than guess).
    public static func chain(_ text: String) throws(Problem) -> [JumpHost] {
        let trimmed = text.trimmingSpaces
        if trimmed.lowercased() == "none" { return [] }
        guard !trimmed.isEmpty else { throw Problem(message: "is empty; write [user@]host[:port] or none") }
        var hops: [JumpHost] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            hops.append(try hop(String(part).trimmingSpaces))
        }
        return hops
    }

    private static func hop(_ text: String) throws(Problem) -> JumpHost {
        let example = "write [user@]host[:port], e.g. deploy@bastion.example.com:2222"
        guard !text.isEmpty else { throw Problem(message: "has an empty hop; \(example)") }
        guard !text.hasPrefix("ssh://") else {
            throw Problem(message: "\(Quote.text(text)): ssh:// URIs are not supported; \(example)")
        }
        var rest = Substring(text)
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            if user!.isEmpty { throw Problem(message: "\(Quote.text(text)) has an empty user; \(example)") }
        }
        var host = rest
        var port: Int?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw Problem(message: "\(Quote.text(text)) is not a host; \(example)")
                }
                port = try portNumber(after.dropFirst(), text, example)
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            port = try portNumber(rest[rest.index(after: colon)...], text, example)
        }
        let bad = host.isEmpty || host.hasPrefix("-") || host.unicodeScalars.contains { $0.value <= 0x20 || $0 == "/" }
        if bad || (user?.unicodeScalars.contains { $0.value <= 0x20 } ?? false) {
            throw Problem(message: "\(Quote.text(text)) is not a host; \(example)")
        }
        return JumpHost(user: user, host: String(host), port: port)
    }

    private static func portNumber(_ text: Substring, _ hop: String, _ example: String) throws(Problem) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw Problem(message: "\(Quote.text(hop)) has no valid port (1 to 65535); \(example)")
        }
        return port
    }
}
