import Crypto
import Foundation

/// What the build box's known_hosts says about the key that signed a receipt.
public enum HostKeyStanding: Sendable, Equatable {
    /// A line for the host holds exactly this key (`where` names the file and line).
    case trusted(where: String)
    /// The host is known with another key of this type.
    case otherKey(where: String)
    /// The key is marked `@revoked`.
    case revoked(where: String)
    /// No line for the host holds a key of this type.
    case unknown
}

/// How a receipt's signature stands.
public enum ReceiptVerdict: Sendable, Equatable {
    /// Signed by the host key known_hosts holds for the host.
    case verified(fingerprint: String)
    /// Not shown to come from the host: no signature, or a key known_hosts does not vouch for.
    /// `--trust-unsigned` may record it anyway, marked unverified.
    case unverified(String)
    /// Never recorded: the receipt changed after signing, or the key is revoked.
    case refused(String)
}

/// Checks a receipt's SSHSIG signature (namespace `tarmac-receipt`) over its exact bytes, and
/// the signing key against what known_hosts says about the host.
public enum ReceiptVerification {
    /// `standing` judges the signing key for the receipt's host; `claimedKey` is the host key
    /// fingerprint the receipt itself names.
    public static func verify(
        _ data: Data, signature: String?, source: String, namespace: String, claimedKey: String?,
        unsignedReason: String?, standing: (SSHPublicKey) -> HostKeyStanding
    ) -> ReceiptVerdict {
        guard let signature else {
            return .unverified(
                "\(source) is not signed (no \(source).sig)" + (unsignedReason.map { ": the host said: \($0)" } ?? ""))
        }
        let parsed: ParsedSignature
        do {
            parsed = try SSHSignature.parse(armored: signature, source: source + ".sig")
        } catch {
            return .refused("\(error)")
        }
        let digest: [UInt8] =
            parsed.hash == .sha512 ? Array(SHA512.hash(data: data)) : Array(SHA256.hash(data: data))
        let own = TrustPolicy(trustedKeys: [parsed.publicKey])
        if case .invalid(let reason) = SSHSignature.verify(
            parsed, digest: digest, namespace: namespace, trust: own, at: Date())
        {
            return .refused("\(source): \(reason)")
        }
        let key = parsed.publicKey
        if let claimedKey, claimedKey != key.fingerprint {
            return .refused(
                "\(source) names host key \(claimedKey) but was signed by \(key.fingerprint): it was changed after signing"
            )
        }
        switch standing(key) {
        case .trusted: return .verified(fingerprint: key.fingerprint)
        case .revoked(let place): return .refused("\(source) was signed by \(key.fingerprint), revoked at \(place)")
        case .otherKey(let place):
            return .unverified(
                "\(source) was signed by \(key.fingerprint), but known_hosts holds another key for this host (\(place)): a wrong key"
            )
        case .unknown:
            return .unverified(
                "\(source) was signed by \(key.fingerprint), a key known_hosts does not hold for this host: an unknown host key (record it with `tarmac hosts trust`, or check the fingerprint and add it)"
            )
        }
    }
}
