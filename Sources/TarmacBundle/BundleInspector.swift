import Crypto
import Foundation
import TarmacArchive
import TarmacCore
import TarmacSigning

/// Reads a bundle — tarmac's own or a plain CodeDeploy-style tar, tar.gz or zip — hashing
/// every member, judging every path, and checking it against its manifest and signature.
/// Reads only: nothing is ever extracted.
public struct BundleInspector: Sendable {
    static let manifestLimit = 64 << 20
    static let appspecLimit = 1 << 20

    public init() {}

    /// Inspects the bundle at `path`; `trustedKeys` non-empty means a valid signature by one of them is required.
    public func inspect(_ path: String, trustedKeys: [SSHPublicKey] = []) async throws -> BundleReport {
        try await inspect(path, trust: TrustPolicy(trustedKeys: trustedKeys))
    }

    /// Inspects the bundle at `path`, judging its signer by `trust` at `time`; a policy with
    /// signers means a valid signature by one of them is required, and revoked keys are always refused.
    public func inspect(_ path: String, trust: TrustPolicy, at time: Date = Date()) async throws -> BundleReport {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw BundleError.invalidInput("cannot read the bundle \(path)")
        }
        var report = try await runBlocking { try BundleInspector.scan(path) }
        report.signature = try await checkSignature(of: path, trust: trust, at: time)
        return report
    }

    static func scan(_ path: String) throws -> BundleReport {
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: path)
        } catch {
            throw BundleError.untrustworthy("\(path) is not a bundle tarmac can read: \(error)", problems: [])
        }
        var scan = MemberScan()
        do {
            while let header = try reader.nextEntry() {
                try scan.add(header, reader: reader)
            }
        } catch let error as ArchiveError {
            throw BundleError.untrustworthy("\(path) is damaged: \(error)", problems: scan.hostile)
        }
        let sha256 = try FileDigest.sha256Hex(ofFileAt: path)
        return scan.report(path: path, sha256: sha256, format: detectedFormat(reader))
    }

    static func detectedFormat(_ reader: ArchiveReader) -> String {
        let format = (reader.formatName ?? "").lowercased()
        if format.contains("zip") { return "zip" }
        switch (reader.filterName ?? "none").lowercased() {
        case "gzip": return "tar.gz"
        case "zstd": return "tar.zst"
        case "xz": return "tar.xz"
        case "bzip2": return "tar.bz2"
        default: return "tar"
        }
    }

    private func checkSignature(of path: String, trust: TrustPolicy, at time: Date) async throws
        -> BundleReport.SignatureStatus
    {
        let sigPath = path + ".sig"
        let requiresSigner = !trust.signers.isEmpty
        guard let armored = try? String(contentsOfFile: sigPath, encoding: .utf8) else {
            return requiresSigner ? .invalid("no signature: \(sigPath) does not exist") : .absent
        }
        let parsed: ParsedSignature
        do {
            parsed = try SSHSignature.parse(armored: armored)
        } catch {
            return .invalid("\(sigPath): \(error)")
        }
        let digest = try await runBlocking { try SSHSignature.digest(ofFileAt: path, using: parsed.hash) }
        // Without trusted signers the signature is only checked against its own key (and the revoked ones).
        let policy = requiresSigner ? trust : TrustPolicy(trustedKeys: [parsed.publicKey], revoked: trust.revoked)
        switch SSHSignature.verify(
            parsed, digest: digest, namespace: BundleSignature.namespace, trust: policy, at: time)
        {
        case .valid(let signer):
            return .valid(signer: signer.fingerprint, trusted: requiresSigner)
        case .invalid(let reason):
            return .invalid(reason)
        }
    }
}
