/// A decoded SSHSIG signature, not yet checked against a message or a trust list.
public struct ParsedSignature: Sendable, Equatable {
    /// The key that claims to have made the signature (untrusted until verified).
    public let publicKey: SSHPublicKey
    /// The purpose the signer declared, such as `tarmac` or `git`.
    public let namespace: String
    /// The hash to stream the message through before calling `SSHSignature.verify`.
    public let hash: SSHSigHash
    /// The SSH signature algorithm name, such as `ssh-ed25519` or `rsa-sha2-512`.
    public let signatureAlgorithm: String
    /// The raw signature bytes for `signatureAlgorithm`.
    let signatureBytes: [UInt8]
}
