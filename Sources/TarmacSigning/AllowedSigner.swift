import Crypto
import Foundation

/// One line of a `--trust-key` file that vouches for a key: an OpenSSH allowed_signers line
/// (`principals [options] key`) or a plain public key line (`ssh-ed25519 AAAA… comment`).
public struct AllowedSigner: Sendable, Equatable {
    /// Where the line is, as `path:line`.
    public let source: String
    /// The line's comma-separated principal patterns; nil for a plain public key line,
    /// which names no principal and vouches for the key under any identity.
    public let principals: String?
    /// The key the line trusts (its comment is whatever followed it on the line).
    public let key: SSHPublicKey
    /// The `namespaces="…"` pattern list; nil allows every namespace.
    public let namespaces: String?
    /// The `valid-after` time; nil when the line has none.
    public let validAfter: Date?
    /// The `valid-before` time; nil when the line has none.
    public let validBefore: Date?

    /// A line with every field given; `principals` nil makes it a plain key line.
    public init(
        source: String, principals: String?, key: SSHPublicKey, namespaces: String? = nil, validAfter: Date? = nil,
        validBefore: Date? = nil
    ) {
        self.source = source
        self.principals = principals
        self.key = key
        self.namespaces = namespaces
        self.validAfter = validAfter
        self.validBefore = validBefore
    }

    /// The principal this line accepts the signer as, or why it does not.
    ///
    /// With an identity, the line's principal patterns must match it (as `ssh-keygen -Y verify -I`).
    /// Without one, the line's first principal that its own list accepts is the signer's name
    /// (as `ssh-keygen -Y find-principals`); a plain key line accepts any signer, named by its comment.
    func principal(for identity: String?) -> Result<String, Refusal> {
        guard let principals else {
            if let identity {
                return .failure(
                    Refusal(
                        "\(source): a plain public key line names no principal, so it cannot vouch for identity '\(identity)'; write the line as `\(identity) \(key.algorithm) AAAA…` (allowed_signers)"
                    ))
            }
            return .success(key.comment)
        }
        if let identity {
            guard OpenSSHPattern.match(identity, list: principals) == .matched else {
                return .failure(
                    Refusal("\(source): identity '\(identity)' is not among the principals \"\(principals)\""))
            }
            return .success(identity)
        }
        let named = OpenSSHPattern.positivePatterns(principals).first {
            OpenSSHPattern.match($0, list: principals) == .matched
        }
        guard let named else {
            return .failure(Refusal("\(source): the principals \"\(principals)\" accept no identity"))
        }
        return .success(named)
    }

    /// Nil when the line's options allow the namespace at `time`, else why they do not.
    func optionsRefusal(namespace: String, at time: Date) -> Refusal? {
        if let namespaces, OpenSSHPattern.match(namespace, list: namespaces) != .matched {
            return Refusal("\(source): namespace '\(namespace)' not allowed by namespaces=\"\(namespaces)\"")
        }
        // ssh-keygen compares whole seconds: a key is still valid at the valid-before second itself.
        let seconds = time.timeIntervalSince1970.rounded(.down)
        if let validAfter, seconds < validAfter.timeIntervalSince1970 {
            return Refusal("\(source): key is not valid until \(OpenSSHTime.describe(validAfter)) (valid-after)")
        }
        if let validBefore, seconds > validBefore.timeIntervalSince1970 {
            return Refusal("\(source): key expired on \(OpenSSHTime.describe(validBefore)) (valid-before)")
        }
        return nil
    }

    /// Why a line does not vouch for a signature, beginning with the line's `path:line`.
    struct Refusal: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

/// A key that a trust source marks as revoked: an `@revoked` line, a line of a `--revoked` file,
/// or an entry of a KRL (a key, or the SHA-1 or SHA-256 hash of one).
public struct RevokedKey: Sendable, Equatable {
    /// What identifies the revoked key.
    public enum Match: Sendable, Equatable {
        case key(SSHPublicKey)
        /// The SHA-1 of the key's wire blob (a KRL fingerprint section).
        case sha1([UInt8])
        /// The SHA-256 of the key's wire blob (a KRL fingerprint section).
        case sha256([UInt8])
    }

    /// Where the key is listed, as `path:line` (or `path (KRL …)`).
    public let source: String
    /// What identifies the revoked key.
    public let match: Match

    /// A revoked key listed at `source`.
    public init(source: String, key: SSHPublicKey) {
        self.init(source: source, match: .key(key))
    }

    /// A revocation of whatever `match` identifies, listed at `source`.
    public init(source: String, match: Match) {
        self.source = source
        self.match = match
    }

    /// The revoked key itself, when it is listed as a key rather than a hash.
    public var key: SSHPublicKey? {
        if case .key(let key) = match { return key }
        return nil
    }

    /// True when this entry revokes `candidate`.
    public func revokes(_ candidate: SSHPublicKey) -> Bool {
        switch match {
        case .key(let key): key.isSameKey(as: candidate)
        case .sha1(let hash): Array(Insecure.SHA1.hash(data: candidate.wireBlob)) == hash
        case .sha256(let hash): Array(SHA256.hash(data: candidate.wireBlob)) == hash
        }
    }
}
