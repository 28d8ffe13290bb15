import Crypto

/// An unencrypted OpenSSH ed25519 private key, able to sign; never shows its key material.
public struct SSHSigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The public half, with the comment stored in the private key file.
    public let publicKey: SSHPublicKey
    private let privateKey: Curve25519.Signing.PrivateKey

    /// Parses the text of an `-----BEGIN OPENSSH PRIVATE KEY-----` file; `source` names it in errors.
    public init(openSSHPrivateKey text: String, source: String? = nil) throws {
        let subject = source.map { "the key \($0)" } ?? "the key"
        let bytes = try Self.armoredBody(of: text, subject: subject)
        let (publicKey, privateKey) = try OpenSSHKeyFile.parseEd25519(bytes, subject: subject)
        self.publicKey = publicKey
        self.privateKey = privateKey
    }

    /// Reads and parses an OpenSSH private key file.
    public init(contentsOfFile path: String) throws {
        try self.init(openSSHPrivateKey: try readTextFile(at: path, what: "signing key"), source: path)
    }

    /// Signs the bytes with ed25519, returning the 64-byte raw signature.
    func sign(_ data: [UInt8]) throws -> [UInt8] {
        Array(try privateKey.signature(for: data))
    }

    public var description: String { "SSHSigningKey(\(publicKey), private key: [REDACTED])" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["publicKey": publicKey, "privateKey": "[REDACTED]"], displayStyle: .struct)
    }

    /// The decoded armor, or an error that says what the text is instead.
    private static func armoredBody(of text: String, subject: String) throws -> [UInt8] {
        let label = Armor.firstLabel(in: text)
        guard label == "OPENSSH PRIVATE KEY" else {
            throw notOpenSSHKey(label: label, text: text, subject: subject)
        }
        do {
            return try Armor.decode(text, label: "OPENSSH PRIVATE KEY")
        } catch {
            let why = error == .badBase64 ? "its base64 body is damaged" : "its BEGIN/END lines are incomplete"
            throw SigningError(.malformedKey, "\(subject) is not a readable OpenSSH private key: \(why)")
        }
    }

    private static func notOpenSSHKey(label: String?, text: String, subject: String) -> SigningError {
        switch label {
        case "RSA PRIVATE KEY":
            return OpenSSHKeyFile.unsupportedType("ssh-rsa", subject: subject)
        case "EC PRIVATE KEY":
            return OpenSSHKeyFile.unsupportedType("ecdsa", subject: subject)
        case "DSA PRIVATE KEY":
            return OpenSSHKeyFile.unsupportedType("ssh-dss", subject: subject)
        case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
            return SigningError(
                .unsupportedKeyType,
                "\(subject) is a PKCS#8 key; tarmac signs with OpenSSH-format ed25519 keys — make a dedicated signing key with `ssh-keygen -t ed25519 -N '' -f tarmac-signing-key`"
            )
        case nil where (try? SSHPublicKey(authorizedKeyLine: text)) != nil:
            return SigningError(
                .malformedKey, "\(subject) is a public key; signing needs the private key file (the one without .pub)")
        case let other?:
            return SigningError(
                .malformedKey,
                "\(subject) holds \(other), not an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`)")
        case nil:
            return SigningError(
                .malformedKey, "\(subject) is not an OpenSSH private key: no `-----BEGIN OPENSSH PRIVATE KEY-----` line"
            )
        }
    }
}
