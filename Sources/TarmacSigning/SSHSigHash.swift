import Crypto
import Foundation

/// The message hash an SSHSIG signature commits to; ssh-keygen signs with `sha512` by default.
public enum SSHSigHash: String, Sendable, CaseIterable {
    case sha256
    case sha512

    /// Length in bytes of a digest made with this hash.
    public var digestByteCount: Int {
        switch self {
        case .sha256: SHA256.byteCount
        case .sha512: SHA512.byteCount
        }
    }
}

extension SSHSigHash {
    /// Digest of bytes already in memory; stream large files with `SSHSigHasher` instead.
    public func digest(_ bytes: some DataProtocol) -> [UInt8] {
        var hasher = SSHSigHasher(self)
        hasher.update(bytes)
        return hasher.finalize()
    }
}
