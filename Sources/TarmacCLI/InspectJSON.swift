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
    /// Present for a delta bundle: what it needs installed and what it carries.
    var delta: Delta?

    struct Delta: Encodable {
        var baseRevision: String
        var baseCommit: String
        var baseCommitTime: Int64
        var baseManifestSHA256: String
        var filesCarried: Int
        var bytesCarried: Int64
        var filesReused: Int
        var bytesReused: Int64
        var files: Int
        /// The delta record could not be read (then the fields above are empty).
        var damaged: Bool

        enum CodingKeys: String, CodingKey {
            case baseRevision = "base_revision"
            case baseCommit = "base_commit"
            case baseCommitTime = "base_commit_time"
            case baseManifestSHA256 = "base_manifest_sha256"
            case filesCarried = "files_carried"
            case bytesCarried = "bytes_carried"
            case filesReused = "files_reused"
            case bytesReused = "bytes_reused"
            case files, damaged
        }

        init(_ report: BundleReport) {
            let summary = report.delta
            baseRevision = summary?.record.baseRevision ?? ""
            baseCommit = summary?.record.baseCommit ?? ""
            baseCommitTime = summary?.record.baseCommitTime ?? 0
            baseManifestSHA256 = summary?.record.baseManifestSHA256 ?? ""
            filesCarried = summary?.carriedFiles ?? 0
            bytesCarried = summary?.carriedBytes ?? 0
            filesReused = summary?.reusedFiles ?? 0
            bytesReused = summary?.reusedBytes ?? 0
            files = summary?.targetFiles ?? 0
            damaged = summary == nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case application, commit, revision, format, sha256, files, signature, signer
        case signatureTrusted = "signature_trusted"
        case signatureProblem = "signature_problem"
        case sequence, expires
        case appspec
        case appspecErrors = "appspec_errors"
        case wrapperDirectory = "wrapper_directory"
        case hostile, mismatches, warnings, verified, delta
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
        delta = report.hasDeltaMember ? Delta(report) : nil
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
