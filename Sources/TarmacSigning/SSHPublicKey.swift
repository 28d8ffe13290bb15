import Crypto
import Foundation

/// An OpenSSH public key as written in a `.pub` file or an `authorized_keys` line.
public struct SSHPublicKey: Sendable, Equatable, CustomStringConvertible {
    /// The key type name, such as `ssh-ed25519`.
    public let algorithm: String
    /// The key in SSH wire encoding (the base64 part of the line, decoded).
    public let wireBlob: [UInt8]
    /// The free-text comment after the key, often `user@host`; empty when absent.
    public let comment: String

    /// Parses `[options] ssh-ed25519 AAAA… [comment]`, as found in `.pub` and `authorized_keys` files.
    public init(authorizedKeyLine line: String, source: String? = nil) throws {
        let subject = source.map { "the public key \($0)" } ?? "the public key"
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw SigningError(
                .malformedKey,
                "\(subject) is empty; expected a line like `ssh-ed25519 AAAA… comment`, the contents of a .pub file")
        }
        if trimmed.hasPrefix("-----BEGIN") {
            throw SigningError(
                .malformedKey,
                "\(subject) is an armored file (\(Armor.firstLabel(in: trimmed) ?? "unknown")), not a public key line; pass the .pub file, e.g. `key.pub` next to `key`"
            )
        }
        let words = trimmed.split(whereSeparator: \.isWhitespace).map(String.init)
        // Options (authorized_keys) or principals (allowed_signers) may precede the key:
        // the key is the first word followed by base64 whose blob names that same type.
        let found = words.indices.dropLast().lazy.compactMap { index -> (blob: [UInt8], index: Int)? in
            guard let blob = Data(base64Encoded: words[index + 1]).map({ [UInt8]($0) }),
                Self.algorithm(ofWireBlob: blob) == words[index]
            else { return nil }
            return (blob, index)
        }.first
        if let found {
            let comment = words[(found.index + 2)...].joined(separator: " ")
            try self.init(wireBlob: found.blob, comment: comment, subject: subject)
            return
        }
        let shown = trimmed.count > 40 ? String(trimmed.prefix(40)) + "…" : trimmed
        throw SigningError(
            .malformedKey,
            "\(subject) is not an OpenSSH public key: found `\(shown)`, expected a line like `ssh-ed25519 AAAA… comment`"
        )
    }

    /// Builds a key from its SSH wire encoding, checking the shape of ed25519 keys.
    init(wireBlob: [UInt8], comment: String, subject: String) throws {
        guard let algorithm = Self.algorithm(ofWireBlob: wireBlob) else {
            throw SigningError(.malformedKey, "\(subject) is corrupt: its key data does not start with a key type")
        }
        if algorithm == "ssh-ed25519" {
            var reader = SSHWireReader(wireBlob, subject: subject, code: .malformedKey)
            _ = try reader.readString(field: "key type")
            let point = try reader.readString(field: "ed25519 public key")
            guard point.count == 32, reader.isAtEnd else {
                throw SigningError(
                    .malformedKey, "\(subject) is corrupt: an ed25519 public key has 32 bytes, found \(point.count)")
            }
        }
        self.algorithm = algorithm
        self.wireBlob = wireBlob
        self.comment = comment
    }

    /// `SHA256:` and the unpadded base64 SHA-256 of the key, exactly as `ssh-keygen -l` prints it.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: wireBlob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// The key as one `.pub` line: type, base64, and the comment when there is one.
    public var authorizedKeyLine: String {
        let base = "\(algorithm) \(Data(wireBlob).base64EncodedString())"
        return comment.isEmpty ? base : "\(base) \(comment)"
    }

    /// True when both values hold the same key, whatever their comments say.
    public func isSameKey(as other: SSHPublicKey) -> Bool {
        wireBlob == other.wireBlob
    }

    /// The type and fingerprint, plus the comment: `ssh-ed25519 SHA256:… me@host`.
    public var description: String {
        comment.isEmpty ? "\(algorithm) \(fingerprint)" : "\(algorithm) \(fingerprint) \(comment)"
    }

    /// Parses every key in an `authorized_keys`-style text, skipping blank lines and `#` comments.
    public static func keys(authorizedKeysText text: String, source: String? = nil) throws -> [SSHPublicKey] {
        var keys: [SSHPublicKey] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let place = source.map { "\($0):\(number + 1)" } ?? "line \(number + 1)"
            keys.append(try SSHPublicKey(authorizedKeyLine: trimmed, source: place))
        }
        guard !keys.isEmpty else {
            throw SigningError(
                .malformedKey,
                "\(source ?? "the key list") holds no public keys; add a line like `ssh-ed25519 AAAA… comment`")
        }
        return keys
    }

    /// Reads and parses a `.pub` or `authorized_keys` file.
    public static func keys(fromFileAt path: String) throws -> [SSHPublicKey] {
        try keys(authorizedKeysText: try readTextFile(at: path, what: "public key file"), source: path)
    }

    /// The first wire string of a key blob, which names its type.
    static func algorithm(ofWireBlob blob: [UInt8]) -> String? {
        var reader = SSHWireReader(blob, subject: "key", code: .malformedKey)
        guard let name = try? reader.readText(field: "key type"), !name.isEmpty, name.count < 64,
            name.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { return nil }
        return name
    }
}
