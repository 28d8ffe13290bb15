import Crypto
import Foundation
import TarmacCore
import TarmacSigning

extension BundleInspector {
    /// Whether `<bundle>.statement` exists (as anything, a dangling link too): then it, not
    /// `<bundle>.sig`, is the bundle's signature.
    static func hasStatement(_ path: String) -> Bool {
        var info = stat()
        return lstat(path + BundleStatement.suffix, &info) == 0
    }

    /// Checks the signed statement beside the bundle: its signature (the same trust rules as
    /// a bundle's `.sig`), that it names this bundle's SHA-256 and manifest, and that it has
    /// not expired at `time`.
    func checkStatement(of path: String, report: BundleReport, trust: TrustPolicy, at time: Date) async
        -> (BundleReport.SignatureStatus, BundleStatement?)
    {
        let statementPath = path + BundleStatement.suffix
        let sigPath = path + BundleStatement.signatureSuffix
        for file in [statementPath, sigPath] {
            guard FileManager.default.fileExists(atPath: file) else {
                return (.invalid("no signature: \(file) does not exist"), nil)
            }
            if let problem = Self.signatureFileProblem(file) { return (.invalid(problem), nil) }
        }
        guard let data = FileManager.default.contents(atPath: statementPath),
            let text = String(data: data, encoding: .utf8),
            let armored = try? String(contentsOfFile: sigPath, encoding: .utf8)
        else { return (.invalid("\(statementPath) or its signature cannot be read as text"), nil) }
        let statement: BundleStatement
        let parsed: ParsedSignature
        do {
            statement = try BundleStatement.parse(text, source: statementPath)
            parsed = try SSHSignature.parse(armored: armored, source: sigPath)
        } catch {
            return (.invalid("\(error)"), nil)
        }
        let digest: [UInt8] =
            parsed.hash == .sha512 ? Array(SHA512.hash(data: data)) : Array(SHA256.hash(data: data))
        let requiresSigner = !trust.signers.isEmpty
        let policy = requiresSigner ? trust : TrustPolicy(trustedKeys: [parsed.publicKey], revoked: trust.revoked)
        switch SSHSignature.verify(
            parsed, digest: digest, namespace: BundleSignature.namespace, trust: policy, at: time)
        {
        case .invalid(let reason):
            return (.invalid("\(statementPath): \(reason)"), statement)
        case .valid(let signer):
            if let problem = Self.statementProblem(statement, report: report, at: time) {
                return (.invalid("\(statementPath): \(problem)"), statement)
            }
            return (.valid(signer: signer.fingerprint, trusted: requiresSigner), statement)
        }
    }

    /// Why a validly signed statement still does not vouch for this bundle now, or nil.
    static func statementProblem(_ statement: BundleStatement, report: BundleReport, at time: Date) -> String? {
        guard statement.bundleSHA256 == report.sha256 else {
            return
                "the statement vouches for a bundle with SHA-256 \(statement.bundleSHA256), but this bundle's is \(report.sha256): it belongs to another bundle"
        }
        if let manifest = report.manifest,
            manifest.application != statement.application || manifest.commit != statement.commit
                || manifest.commitTime != statement.sequence
        {
            return "the statement's application, commit or sequence differ from the bundle's manifest"
        }
        guard time <= statement.expires else {
            return
                "the bundle expired at \(BundleStatement.format(statement.expires)) (signed at \(BundleStatement.format(statement.signedAt))); hosts refuse it after that date — have it signed again with a later --expires"
        }
        return nil
    }
}
