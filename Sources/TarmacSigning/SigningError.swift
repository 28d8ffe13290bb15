/// A problem with a key, a signature or a file, worded so a person knows what to do next.
public struct SigningError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem it is, for callers that branch on it.
    public enum Code: String, Sendable, Equatable {
        /// The private key is protected by a passphrase.
        case encryptedKey
        /// The key is valid but not of a type tarmac can sign with.
        case unsupportedKeyType
        /// The key text is not a well-formed OpenSSH key.
        case malformedKey
        /// The armored signature is not a well-formed SSHSIG blob.
        case malformedSignature
        /// The signature is well formed but uses a version or hash tarmac does not know.
        case unsupportedSignature
        /// An argument is unusable, such as an empty namespace or a digest of the wrong size.
        case invalidArgument
        /// A file could not be opened or read.
        case fileAccess
    }

    /// What kind of problem it is.
    public let code: Code
    /// The full sentence shown to a person.
    public let message: String

    /// Makes an error of the given kind with a complete, actionable message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
