import Crypto
import Foundation

/// An OpenSSH `known_hosts` file, parsed in Swift so that markers, wildcards, negation,
/// hashed names and `[host]:port` behave as OpenSSH's client does (libssh2 1.10's parser
/// ignores `@revoked`, has no patterns, falls back from `[host]:port` to `host` and drops the
/// whole file on one bad line).
public struct KnownHosts: Sendable {
    /// One usable line of the file.
    public struct Entry: Sendable, Equatable {
        public enum Marker: Sendable, Equatable {
            case none, revoked, certificateAuthority
        }
        /// The 1-based line number in the file.
        public var line: Int
        public var marker: Marker
        /// The host field: a pattern list or one `|1|salt|hash` name.
        public var hosts: String
        public var key: HostKey
    }

    /// A line that was skipped because it could not be parsed.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var message: String
        public var description: String { "\(path):\(line): warning: \(message); line ignored" }
    }

    /// What the file says about a key a host presented.
    public enum Verdict: Sendable, Equatable {
        /// A line for this host holds exactly this key.
        case trusted(line: Int)
        /// The key is marked `@revoked`: never accept it.
        case revoked(line: Int)
        /// The host is known with another key of the same type (first such line).
        case mismatch(line: Int, known: HostKey)
        /// No line for this host holds a key of this type.
        case unknown
    }

    /// The file this was read from (for messages).
    public let path: String
    public let entries: [Entry]
    public let warnings: [Warning]

    /// Parses known_hosts text; malformed lines become warnings, never errors.
    public init(parsing text: String, path: String) {
        self.path = path
        var entries: [Entry] = []
        var warnings: [Warning] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            switch Self.parseLine(raw, number: index + 1) {
            case .entry(let entry)?: entries.append(entry)
            case .problem(let message)?: warnings.append(Warning(path: path, line: index + 1, message: message))
            case nil: break
            }
        }
        self.entries = entries
        self.warnings = warnings
    }

    /// Reads `path`; a missing file is an empty list (every host unknown).
    public static func load(path: String) throws -> KnownHosts {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return KnownHosts(parsing: "", path: path) }
            throw KnownHostsError(path: path, operation: "read", errno: errno)
        }
        // `UserKnownHostsFile /dev/null` turns OpenSSH's check off; tarmac never skips it.
        guard status.st_mode & S_IFMT == S_IFREG else { throw KnownHostsNotAFile(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KnownHostsError(path: path, operation: "read", errno: errno)
        }
        return KnownHosts(parsing: String(decoding: data, as: UTF8.self), path: path)
    }

    /// The name known_hosts stores for a host: `host` on port 22, else `[host]:port`.
    public static func hostName(_ host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// The keys recorded for `host` on `port` (not revoked, not certificate authorities).
    public func keys(host: String, port: Int) -> [Entry] {
        let name = Self.hostName(host, port: port)
        return entries.filter { $0.marker == .none && Self.hostField($0.hosts, matches: name) }
    }

    /// Judges a key `host` presented on `port`; revocation wins over everything.
    public func verdict(for key: HostKey, host: String, port: Int) -> Verdict {
        if let revoked = entries.first(where: { $0.marker == .revoked && $0.key == key }) {
            return .revoked(line: revoked.line)
        }
        let known = keys(host: host, port: port).filter { $0.key.type == key.type }
        if let match = known.first(where: { $0.key == key }) { return .trusted(line: match.line) }
        if let other = known.first { return .mismatch(line: other.line, known: other.key) }
        return .unknown
    }

    /// Host key algorithms to offer, in OpenSSH's order, restricted to the types recorded for
    /// the host so the server picks one we can check; every supported type when none is.
    public func preferredAlgorithms(host: String, port: Int) -> [String] {
        let known = Set(keys(host: host, port: port).map(\.key.type))
        let usable = Self.algorithmOrder.filter { known.contains($0) }
        return usable.isEmpty ? Self.algorithmOrder : usable
    }

    /// Host key types libssh2 1.10 can verify, best first (`ssh-rsa` last: SHA-1 only).
    public static let algorithmOrder = [
        "ssh-ed25519", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp256", "ssh-rsa",
    ]

    static func hostField(_ field: String, matches name: String) -> Bool {
        if field.hasPrefix("|1|") { return HashedName(field)?.matches(name) ?? false }
        return HostPattern.matchesList(field.split(separator: ","), name)
    }

    private enum Parsed {
        case entry(Entry)
        case problem(String)
    }

    private static func parseLine(_ raw: Substring, number: Int) -> Parsed? {
        let line = raw.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
        var marker = Entry.Marker.none
        if let first = fields.first, first.hasPrefix("@") {
            switch first {
            case "@revoked": marker = .revoked
            case "@cert-authority": marker = .certificateAuthority
            default: return .problem("unknown marker \(first)")
            }
            fields = fields.dropFirst()
        }
        guard fields.count >= 3 else { return .problem("expected hosts, key type and key") }
        let hosts = String(fields[fields.startIndex])
        let type = String(fields[fields.startIndex + 1])
        guard let data = Data(base64Encoded: String(fields[fields.startIndex + 2])),
            let key = HostKey(blob: [UInt8](data))
        else { return .problem("the key is not valid base64 of an SSH public key") }
        guard key.type == type else { return .problem("the key is of type \(key.type), the line says \(type)") }
        if hosts.hasPrefix("|1|") && HashedName(hosts) == nil { return .problem("malformed hashed host name") }
        return .entry(Entry(line: number, marker: marker, hosts: hosts, key: key))
    }
}

/// A hashed known_hosts name, `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
struct HashedName {
    var salt: [UInt8]
    var hash: [UInt8]

    init?(_ field: String) {
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "1",
            let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])),
            salt.count == 20, hash.count == 20
        else { return nil }
        self.salt = [UInt8](salt)
        self.hash = [UInt8](hash)
    }

    init(name: String, salt: [UInt8]) {
        self.salt = salt
        self.hash = Self.digest(name, salt: salt)
    }

    func matches(_ name: String) -> Bool { Self.digest(name, salt: salt) == hash }

    var field: String { "|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())" }

    private static func digest(_ name: String, salt: [UInt8]) -> [UInt8] {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return [UInt8](mac)
    }
}
