import Foundation
import TarmacBundle
import TarmacCore

/// The `--json` shape of `tarmac inspect`; the field names are the contract.
struct InspectJSON: Encodable {
    struct File: Encodable {
        var path: String
        var type: String
        var mode: String
        var size: Int64
        var sha256: String?
        var target: String?
    }

    var application: String?
    var commit: String?
    var revision: String?
    var format: String
    var sha256: String
    var files: [File]
    var signature: String
    var signer: String?
    var signatureTrusted: Bool
    var signatureProblem: String?
    /// The anti-rollback sequence (the commit's committer time) and, with a statement, its expiry.
    var sequence: Int64?
    var expires: String?
    var appspec: String?
    var appspecErrors: [String]
    var wrapperDirectory: String?
    var hostile: [String]
    var mismatches: [String]
    /// World-writable, setuid and setgid members: shown, not refused.
    var warnings: [String]
    var verified: Bool

    enum CodingKeys: String, CodingKey {
        case application, commit, revision, format, sha256, files, signature, signer
        case signatureTrusted = "signature_trusted"
        case signatureProblem = "signature_problem"
        case sequence, expires
        case appspec
        case appspecErrors = "appspec_errors"
        case wrapperDirectory = "wrapper_directory"
        case hostile, mismatches, warnings, verified
    }

    init(report: BundleReport, appspec: InspectAppSpec) {
        application = report.manifest?.application
        commit = report.manifest?.commit
        revision = report.manifest?.revision
        format = report.format
        sha256 = report.sha256
        files = report.files.map {
            File(
                path: $0.path, type: $0.type.rawValue, mode: $0.mode, size: $0.size, sha256: $0.sha256,
                target: $0.target)
        }
        signature = report.signature.word
        switch report.signature {
        case .valid(let who, let trusted): (signer, signatureTrusted) = (who, trusted)
        case .invalid(let reason): (signatureProblem, signatureTrusted) = (reason, false)
        case .absent: signatureTrusted = false
        }
        sequence = report.manifest?.commitTime
        expires = report.statement.map { BundleStatement.format($0.expires) }
        self.appspec = report.appspecName
        appspecErrors = appspec.diagnostics.filter { $0.severity == .error }.map(\.description)
        wrapperDirectory = report.wrapperDirectory
        hostile = report.hostile
        mismatches = report.mismatches
        warnings = report.warnings
        verified = report.isTrustworthy && !appspec.diagnostics.hasErrors
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
