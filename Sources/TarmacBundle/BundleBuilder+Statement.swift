import Crypto
import Foundation
import TarmacCore
import TarmacSigning

extension BundleBuilder {
    /// Writes `<bundle>.statement` and its signature `<bundle>.statement.sig`, and removes a
    /// `<bundle>.sig` left by an earlier signing: a signature without the expiry beside it
    /// would let anyone drop the expiry by deleting the statement. Returns the statement's path.
    func signStatement(
        _ path: String, manifest: BundleManifest, sha256: String, with key: SSHSigningKey, from now: Date,
        for validity: TimeInterval
    ) async throws -> String {
        let signedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let statement = BundleStatement(
            bundleSHA256: sha256, application: manifest.application, commit: manifest.commit,
            sequence: manifest.commitTime, signedAt: signedAt, expires: signedAt + validity)
        let text = Data(statement.text.utf8)
        let digest = Array(SHA512.hash(data: text))
        let armored = try SSHSignature.sign(
            digest: digest, hash: .sha512, namespace: BundleSignature.namespace, key: key)
        let statementPath = path + BundleStatement.suffix
        try text.write(to: URL(fileURLWithPath: statementPath), options: .atomic)
        try Data(armored.utf8).write(to: URL(fileURLWithPath: path + BundleStatement.signatureSuffix), options: .atomic)
        if unlink(path + ".sig") != 0 && errno != ENOENT {
            throw BundleError.failed(
                "cannot remove the earlier signature \(path).sig: \(String(cString: strerror(errno))); remove it, since it carries no expiry"
            )
        }
        return statementPath
    }
}
