import Crypto

/// The `openssh-key-v1` container (OpenSSH's PROTOCOL.key), read for one unencrypted ed25519 key.
enum OpenSSHKeyFile {
    private static let magic = Array("openssh-key-v1".utf8) + [0]
    private static let newKeyHint =
        "make a dedicated signing key with `ssh-keygen -t ed25519 -N '' -f tarmac-signing-key`"

    /// Decodes the container and checks the private half against the public half.
    static func parseEd25519(_ bytes: [UInt8], subject: String) throws -> (SSHPublicKey, Curve25519.Signing.PrivateKey)
    {
        var reader = SSHWireReader(bytes, subject: subject, code: .malformedKey)
        try reader.expect(magic, field: "openssh-key-v1 header")
        let cipher = try reader.readText(field: "cipher name")
        _ = try reader.readText(field: "KDF name")
        _ = try reader.readString(field: "KDF options")
        guard cipher == "none" else {
            throw SigningError(
                .encryptedKey,
                "\(subject) is encrypted with a passphrase; tarmac signs with unencrypted ed25519 keys — \(newKeyHint)")
        }
        let count = try reader.readUInt32(field: "key count")
        guard count == 1 else {
            throw SigningError(
                .malformedKey, "\(subject) holds \(count) keys; tarmac expects exactly one ed25519 key per file")
        }
        let publicBlob = try reader.readString(field: "public key")
        guard let type = SSHPublicKey.algorithm(ofWireBlob: publicBlob) else {
            throw SigningError(.malformedKey, "\(subject) is corrupt: its public key has no readable key type")
        }
        guard type == "ssh-ed25519" else { throw unsupportedType(type, subject: subject) }
        let section = try reader.readString(field: "private key section")
        return try parsePrivateSection(section, publicBlob: publicBlob, subject: subject)
    }

    /// Reads `checkint checkint type pub priv comment padding` and validates each part.
    private static func parsePrivateSection(
        _ section: [UInt8], publicBlob: [UInt8], subject: String
    ) throws -> (SSHPublicKey, Curve25519.Signing.PrivateKey) {
        var reader = SSHWireReader(section, subject: subject, code: .malformedKey)
        let check1 = try reader.readUInt32(field: "check value")
        let check2 = try reader.readUInt32(field: "check value")
        guard check1 == check2 else {
            throw SigningError(.malformedKey, "\(subject) is corrupt: its private section fails the integrity check")
        }
        let type = try reader.readText(field: "private key type")
        guard type == "ssh-ed25519" else {
            throw SigningError(
                .malformedKey, "\(subject) is corrupt: its private section does not hold its ed25519 key")
        }
        let point = try reader.readString(field: "ed25519 public key")
        let secret = try reader.readString(field: "ed25519 private key")
        let comment = try reader.readText(field: "comment")
        let padding = Array(reader.remaining)
        guard point.count == 32, secret.count == 64, Array(secret[32...]) == point,
            padding.count < 16, padding.enumerated().allSatisfy({ $0.element == UInt8($0.offset + 1) })
        else {
            throw SigningError(
                .malformedKey,
                "\(subject) is corrupt: its ed25519 key fields are inconsistent (wrong sizes or mismatched halves)")
        }
        let privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: secret[..<32])
        var expected = SSHWireWriter()
        expected.append(text: "ssh-ed25519")
        expected.append(string: privateKey.publicKey.rawRepresentation)
        guard expected.bytes == publicBlob, Array(privateKey.publicKey.rawRepresentation) == point else {
            throw SigningError(.malformedKey, "\(subject) is corrupt: its private key does not match its public key")
        }
        let publicKey = try SSHPublicKey(wireBlob: publicBlob, comment: comment, subject: subject)
        return (publicKey, privateKey)
    }

    /// The error for a well-formed key of a type tarmac cannot sign with.
    static func unsupportedType(_ type: String, subject: String) -> SigningError {
        let kind: String
        switch type {
        case "ssh-rsa": kind = "an RSA key"
        case "ssh-dss": kind = "a DSA key"
        case _ where type.hasPrefix("ecdsa"): kind = "an ECDSA key"
        case _ where type.hasPrefix("sk-"): kind = "a security-key (FIDO) key"
        default: kind = "a \(type) key"
        }
        return SigningError(
            .unsupportedKeyType, "\(subject) is \(kind); tarmac signs only with ed25519 keys — \(newKeyHint)")
    }
}
