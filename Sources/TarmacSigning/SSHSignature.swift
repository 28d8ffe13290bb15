import Crypto
import Foundation

/// OpenSSH SSHSIG detached signatures (PROTOCOL.sshsig), made and checked from a message digest.
public enum SSHSignature {
    /// The signature file's armor label.
    static let armorLabel = "SSH SIGNATURE"
    private static let magic = Array("SSHSIG".utf8)
    private static let version: UInt32 = 1

    /// Digest of a file streamed in 1 MiB blocks; pass the result to `sign` or `verify`.
    public static func digest(ofFileAt path: String, using hash: SSHSigHash) throws -> [UInt8] {
        try SSHSigHasher.digest(ofFileAt: path, using: hash)
    }

    /// Signs a message digest, returning armored text that ends with a newline, as ssh-keygen writes it.
    public static func sign(
        digest: [UInt8], hash: SSHSigHash = .sha512, namespace: String, key: SSHSigningKey
    ) throws -> String {
        guard !namespace.isEmpty else {
            throw SigningError(
                .invalidArgument, "the signature namespace is empty; SSHSIG requires one, such as `tarmac`")
        }
        guard digest.count == hash.digestByteCount else {
            throw SigningError(
                .invalidArgument,
                "the message digest has \(digest.count) bytes but \(hash.rawValue) digests have \(hash.digestByteCount); compute it with SSHSignature.digest(ofFileAt:using: .\(hash.rawValue))"
            )
        }
        let raw = try key.sign(signedData(namespace: namespace, hash: hash, digest: digest))
        var signature = SSHWireWriter()
        signature.append(text: key.publicKey.algorithm)
        signature.append(string: raw)

        var blob = SSHWireWriter()
        blob.append(raw: magic)
        blob.append(uint32: version)
        blob.append(string: key.publicKey.wireBlob)
        blob.append(text: namespace)
        blob.append(string: [UInt8]())  // reserved
        blob.append(text: hash.rawValue)
        blob.append(string: signature.bytes)
        return Armor.encode(blob.bytes, label: armorLabel)
    }

    /// Parses an armored signature; its `hash` tells the caller how to digest the message.
    public static func parse(armored text: String, source: String? = nil) throws -> ParsedSignature {
        let subject = source.map { "the signature \($0)" } ?? "the signature"
        let blob: [UInt8]
        do {
            blob = try Armor.decode(text, label: armorLabel)
        } catch {
            throw SigningError(.malformedSignature, "\(subject) is \(armorProblem(error))")
        }
        return try parseBlob(blob, subject: subject)
    }

    /// Reads and parses an armored signature file such as `bundle.tgz.sig`.
    public static func parse(contentsOfFile path: String) throws -> ParsedSignature {
        try parse(armored: try readTextFile(at: path, what: "signature file"), source: path)
    }

    /// Checks a parsed signature against the message digest, the expected namespace and plain trusted keys.
    public static func verify(
        _ signature: ParsedSignature, digest: [UInt8], namespace: String, trusted: [SSHPublicKey]
    ) -> VerificationResult {
        verify(signature, digest: digest, namespace: namespace, trust: TrustPolicy(trustedKeys: trusted), at: Date())
    }

    /// Checks a parsed signature against the message digest, the expected namespace and a trust
    /// policy judged at `time` (revoked keys, principals, namespaces=, valid-after, valid-before).
    public static func verify(
        _ signature: ParsedSignature, digest: [UInt8], namespace: String, trust: TrustPolicy, at time: Date
    ) -> VerificationResult {
        let signer = signature.publicKey
        guard signature.namespace == namespace else {
            return .invalid(
                reason:
                    "the signature was made for namespace '\(signature.namespace)', not '\(namespace)'; it was created for another purpose and cannot vouch for this file"
            )
        }
        guard digest.count == signature.hash.digestByteCount else {
            return .invalid(
                reason:
                    "the message digest has \(digest.count) bytes but the signature uses \(signature.hash.rawValue) (\(signature.hash.digestByteCount) bytes); digest the file with the signature's hash"
            )
        }
        guard signer.algorithm == "ssh-ed25519", signature.signatureAlgorithm == "ssh-ed25519" else {
            return .invalid(
                reason:
                    "unsupported key type \(signer.algorithm) (signature algorithm \(signature.signatureAlgorithm)); tarmac verifies ssh-ed25519 signatures only"
            )
        }
        let trustedSigner: SSHPublicKey
        switch trust.judge(signer, namespace: namespace, at: time) {
        case .trusted(let line, _): trustedSigner = line.key
        case .refused(let reason): return .invalid(reason: reason)
        }
        let data = signedData(namespace: signature.namespace, hash: signature.hash, digest: digest)
        let point = signer.wireBlob.suffix(32)  // the ed25519 blob's shape was checked when parsed
        guard signature.signatureBytes.count == 64,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: point),
            key.isValidSignature(signature.signatureBytes, for: data)
        else {
            return .invalid(
                reason:
                    "the signature does not match the file: the file was modified after signing, or the signature belongs to a different file"
            )
        }
        return .valid(signer: trustedSigner)
    }

    /// The bytes the key actually signs: magic, namespace, empty reserved, hash name, digest.
    static func signedData(namespace: String, hash: SSHSigHash, digest: [UInt8]) -> [UInt8] {
        var data = SSHWireWriter()
        data.append(raw: magic)
        data.append(text: namespace)
        data.append(string: [UInt8]())  // reserved: OpenSSH always signs it empty
        data.append(text: hash.rawValue)
        data.append(string: digest)
        return data.bytes
    }

    private static func parseBlob(_ blob: [UInt8], subject: String) throws -> ParsedSignature {
        var reader = SSHWireReader(blob, subject: subject, code: .malformedSignature)
        try reader.expect(magic, field: "SSHSIG magic")
        let version = try reader.readUInt32(field: "version")
        guard version <= Self.version else {
            throw SigningError(
                .unsupportedSignature,
                "\(subject) uses SSHSIG version \(version); tarmac reads version \(Self.version) — sign it with tarmac or a matching ssh-keygen"
            )
        }
        let keyBlob = try reader.readString(field: "public key")
        let publicKey = try SSHPublicKey(wireBlob: keyBlob, comment: "", subject: "the public key in \(subject)")
        let namespace = try reader.readText(field: "namespace")
        guard !namespace.isEmpty else {
            throw SigningError(.malformedSignature, "\(subject) is corrupt: its namespace is empty")
        }
        _ = try reader.readString(field: "reserved field")  // ignored, as the spec asks
        let hashName = try reader.readText(field: "hash algorithm")
        guard let hash = SSHSigHash(rawValue: hashName) else {
            throw SigningError(
                .unsupportedSignature,
                "\(subject) uses hash algorithm '\(hashName)'; SSHSIG allows only sha256 and sha512")
        }
        var inner = SSHWireReader(
            try reader.readString(field: "signature"), subject: subject, code: .malformedSignature)
        let algorithm = try inner.readText(field: "signature algorithm")
        let bytes = try inner.readString(field: "signature bytes")
        guard reader.isAtEnd, inner.isAtEnd else {
            throw SigningError(.malformedSignature, "\(subject) is corrupt: unexpected bytes after the signature")
        }
        return ParsedSignature(
            publicKey: publicKey, namespace: namespace, hash: hash, signatureAlgorithm: algorithm, signatureBytes: bytes
        )
    }

    private static func armorProblem(_ problem: Armor.Problem) -> String {
        switch problem {
        case .missingBegin: "not an SSH signature: it must start with `-----BEGIN SSH SIGNATURE-----`"
        case .missingEnd: "incomplete: no `-----END SSH SIGNATURE-----` line (was the file cut short?)"
        case .badBase64: "corrupt: its base64 body is damaged"
        case .empty: "empty between its BEGIN and END lines"
        }
    }
}
