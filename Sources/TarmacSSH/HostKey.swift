import Crypto
import Foundation

/// A server's public host key: its SSH type name and raw wire blob.
public struct HostKey: Sendable, Hashable, CustomStringConvertible {
    /// The key type, e.g. `ssh-ed25519` or `ecdsa-sha2-nistp256`.
    public var type: String
    /// The public key in SSH wire format (what known_hosts holds in base64).
    public var blob: [UInt8]

    public init(type: String, blob: [UInt8]) {
        self.type = type
        self.blob = blob
    }

    /// Reads the type from the blob itself (its first SSH string); nil for a malformed blob.
    public init?(blob: [UInt8]) {
        guard blob.count >= 4 else { return nil }
        let length = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= blob.count - 4 else { return nil }
        self.init(type: String(decoding: blob[4..<4 + length], as: UTF8.self), blob: blob)
    }

    /// The blob in base64, as known_hosts and `authorized_keys` write it.
    public var base64: String { Data(blob).base64EncodedString() }

    /// `SHA256:…` with unpadded base64, exactly as `ssh-keygen -l` prints it.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.prefix { $0 != "=" }
    }

    /// The type and fingerprint, e.g. `ssh-ed25519 SHA256:…`.
    public var description: String { "\(type) \(fingerprint)" }
}
