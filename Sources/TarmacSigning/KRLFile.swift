/// OpenSSH's binary key revocation list (PROTOCOL.krl), read for what can revoke a plain key:
/// explicit keys and their SHA-1 and SHA-256 hashes. Certificate sections are skipped, since
/// tarmac trusts no certificates; a signed KRL is refused, as tarmac cannot check its signature.
enum KRLFile {
    static let magic = Array("SSHKRL\n\0".utf8)
    private static let formatVersion: UInt32 = 1

    private enum Section: UInt8 {
        case certificates = 1
        case explicitKey = 2
        case sha1 = 3
        case signature = 4
        case sha256 = 5
    }

    /// The revocations in the KRL's bytes; errors name the file and what is wrong.
    static func parse(_ bytes: [UInt8], source: String) throws -> [RevokedKey] {
        let subject = "the KRL \(source)"
        var reader = SSHWireReader(bytes, subject: subject, code: .malformedKey)
        try reader.expect(magic, field: "KRL magic")
        let version = try reader.readUInt32(field: "format version")
        guard version == formatVersion else {
            throw SigningError(.unsupportedKeyType, "\(subject) has format version \(version); tarmac reads version 1")
        }
        _ = try reader.readBytes(24, field: "KRL version, date and flags")
        _ = try reader.readString(field: "reserved field")
        _ = try reader.readString(field: "comment")
        var revoked: [RevokedKey] = []
        while !reader.isAtEnd {
            let type = try reader.readBytes(1, field: "section type")[0]
            let body = try reader.readString(field: "section")
            guard let section = Section(rawValue: type) else {
                throw SigningError(.malformedKey, "\(subject) has a section of unknown type \(type)")
            }
            revoked += try entries(of: section, body: body, source: source, subject: subject)
        }
        return revoked
    }

    private static func entries(of section: Section, body: [UInt8], source: String, subject: String) throws
        -> [RevokedKey]
    {
        switch section {
        case .certificates:
            return []
        case .signature:
            throw SigningError(
                .unsupportedKeyType,
                "\(subject) is signed, and tarmac does not check KRL signatures; list the revoked keys in a text file, one `ssh-ed25519 AAAA…` line each"
            )
        case .explicitKey, .sha1, .sha256:
            var reader = SSHWireReader(body, subject: subject, code: .malformedKey)
            var entries: [RevokedKey] = []
            while !reader.isAtEnd {
                let value = try reader.readString(field: "revoked key")
                let match: RevokedKey.Match
                switch section {
                case .sha1 where value.count == 20: match = .sha1(value)
                case .sha256 where value.count == 32: match = .sha256(value)
                case .explicitKey: match = .key(try SSHPublicKey(wireBlob: value, comment: "", subject: subject))
                default: throw SigningError(.malformedKey, "\(subject) holds a key hash of the wrong length")
                }
                entries.append(RevokedKey(source: "\(source) (KRL)", match: match))
            }
            return entries
        }
    }
}
