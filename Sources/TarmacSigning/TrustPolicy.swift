import Foundation

/// Who may sign: the trusted lines of every `--trust-key` file, the revoked keys (`@revoked`
/// lines and `--revoked` files) and, optionally, the identity the signer must have.
///
/// A key is trusted when it is not revoked and at least one line that lists it accepts the
/// identity, the namespace and the time — the rule of `ssh-keygen -Y verify`.
public struct TrustPolicy: Sendable, Equatable {
    /// The lines that vouch for keys, in the order given.
    public var signers: [AllowedSigner]
    /// Keys refused whatever the signers say.
    public var revoked: [RevokedKey]
    /// The principal the signer must be (`ssh-keygen -I`); nil accepts any principal of a matching line.
    public var identity: String?

    /// A policy from its parts.
    public init(signers: [AllowedSigner], revoked: [RevokedKey] = [], identity: String? = nil) {
        self.signers = signers
        self.revoked = revoked
        self.identity = identity
    }

    /// The policy of parsed trust files, each file's `@revoked` lines added to `revoked`.
    public init(files: [TrustFile], revoked: [RevokedKey] = [], identity: String? = nil) {
        self.init(
            signers: files.flatMap(\.signers), revoked: files.flatMap(\.revoked) + revoked, identity: identity)
    }

    /// Plain trusted keys with no options, each valid under any identity.
    public init(trustedKeys: [SSHPublicKey], revoked: [RevokedKey] = []) {
        self.init(
            signers: trustedKeys.map { AllowedSigner(source: "trusted key", principals: nil, key: $0) },
            revoked: revoked)
    }

    /// Whether the key may vouch for a signature in `namespace` at `time`.
    public func judge(_ key: SSHPublicKey, namespace: String, at time: Date) -> TrustDecision {
        if let revocation = revoked.first(where: { $0.revokes(key) }) {
            return .refused(reason: "\(revocation.source): key \(key.fingerprint) is revoked")
        }
        let listing = signers.filter { $0.key.isSameKey(as: key) }
        guard !listing.isEmpty else {
            let known =
                signers.isEmpty
                ? "no keys are trusted"
                : "trusted: " + Self.unique(signers.map(\.key.fingerprint)).joined(separator: ", ")
            return .refused(
                reason:
                    "the signature was made by key \(key.fingerprint), which is not a trusted key (\(known)); pass its .pub file with --trust-key if you trust it"
            )
        }
        var refusals: [String] = []
        for signer in listing {
            switch signer.principal(for: identity) {
            case .failure(let refusal):
                refusals.append(refusal.reason)
            case .success(let principal):
                if let refusal = signer.optionsRefusal(namespace: namespace, at: time) {
                    refusals.append(refusal.reason)
                } else {
                    return .trusted(signer: signer, principal: principal)
                }
            }
        }
        return .refused(
            reason: "key \(key.fingerprint) is listed but not trusted here: " + refusals.joined(separator: "; "))
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}

/// What a trust policy says about a signing key.
public enum TrustDecision: Sendable, Equatable {
    /// The key is trusted by this line, as this principal (the key's comment for a plain key line).
    case trusted(signer: AllowedSigner, principal: String)
    /// The key must not be trusted; the reason names the file and line that decided it.
    case refused(reason: String)
}
