import ArgumentParser
import Foundation
import TarmacSigning

/// Who may sign a bundle, for `inspect` and `apply`: read like `ssh-keygen -Y verify -f -I -r`.
struct TrustOptions: ParsableArguments {
    @Option(
        name: .customLong("trust-key"),
        help: ArgumentHelp(
            "An OpenSSH allowed_signers file, or a file of ssh-ed25519 public keys (one a line); the signature must be by a key it trusts for namespace tarmac. Repeatable.",
            valueName: "file"))
    var trustKeys: [String] = []

    @Option(
        name: .customLong("signer-identity"),
        help: ArgumentHelp(
            "The principal the signer must be, matched against the allowed_signers principals (ssh-keygen's -I). Default: any principal of a line that lists the key.",
            valueName: "id"))
    var signerIdentity: String?

    @Option(
        name: .customLong("revoked"),
        help: ArgumentHelp(
            "A file of revoked public keys, one a line, or an OpenSSH KRL (ssh-keygen's -r); a signature by one of them is refused. Repeatable.",
            valueName: "file"))
    var revoked: [String] = []

    func validate() throws {
        if let signerIdentity {
            guard !signerIdentity.isEmpty else { throw ValidationError("--signer-identity must not be empty") }
            guard !trustKeys.isEmpty else {
                throw ValidationError(
                    "--signer-identity needs --trust-key with an allowed_signers file naming that principal")
            }
        }
    }

    /// The trust files and revoked keys, read now; a file that cannot be used is a usage error (exit 2).
    func policy(timeZone: TimeZone = .current) throws -> TrustPolicy {
        do {
            let files = try trustKeys.map { try TrustFile.load(fromFileAt: $0, timeZone: timeZone) }
            let revokedKeys = try revoked.flatMap { try RevokedKeysFile.load(fromFileAt: $0) }
            return TrustPolicy(files: files, revoked: revokedKeys, identity: signerIdentity)
        } catch let error as SigningError {
            throw ValidationError("\(error)")
        }
    }
}
