/// The outcome of checking a signature: a failed check is a result, not a thrown error.
public enum VerificationResult: Sendable, Equatable {
    /// The signature is good and was made by this trusted key (comment from the trust list).
    case valid(signer: SSHPublicKey)
    /// The signature must not be accepted; the reason says what failed and what to check.
    case invalid(reason: String)

    /// True for `.valid`.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}
