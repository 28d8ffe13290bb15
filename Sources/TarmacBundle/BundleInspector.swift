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
    public func inspect(_ path: String, trustedKeys: [SSHPublicKey] = [], limits: UnpackLimits = .default)
        async throws -> BundleReport
    {
        try await inspect(path, trust: TrustPolicy(trustedKeys: trustedKeys), limits: limits)
    }

    /// Inspects the bundle at `path`, judging its signer by `trust` at `time`; a policy with
    /// signers means a valid signature by one of them is required, and revoked keys are always refused.
    /// Reading stops at `limits` (unpacked bytes and members, counted as the data is read).
    public func inspect(
        _ path: String, trust: TrustPolicy, at time: Date = Date(), limits: UnpackLimits = .default
    ) async throws -> BundleReport {
        try await inspect(path, trust: trust, at: time, limits: limits, tee: nil)
    }

    /// Inspects the bundle, copying the revision's members into `tee` as they are read.
    func inspect(
        _ path: String, trust: TrustPolicy, at time: Date, limits: UnpackLimits, tee: ArchiveWriter?
    ) async throws -> BundleReport {
        try Self.requireRegularFile(path, what: "the bundle")
        nonisolated(unsafe) let tee = tee
        let report = try await runBlocking { try BundleInspector.scan(path, limits: limits, tee: tee) }
        return try await signed(report, path: path, trust: trust, at: time)
    }

    /// Refuses anything but a readable regular file (after links): a device, a FIFO or a
    /// directory would be read forever or not at all.
    static func requireRegularFile(_ path: String, what: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw BundleError.invalidInput("cannot read \(what) \(path): \(String(cString: strerror(errno)))")
        }
        let kinds: [mode_t: String] = [
            S_IFDIR: "a directory", S_IFCHR: "a character device", S_IFBLK: "a block device", S_IFIFO: "a FIFO",
            S_IFSOCK: "a socket",
        ]
        if info.st_mode & S_IFMT != S_IFREG {
            let kind = kinds[info.st_mode & S_IFMT] ?? "not a regular file"
            throw BundleError.invalidInput("\(path) is \(kind), not a bundle file; tarmac reads only regular files")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw BundleError.invalidInput("cannot read \(what) \(path)")
        }
    }

    static func scan(_ path: String, limits: UnpackLimits = .default, tee: ArchiveWriter? = nil) throws
        -> BundleReport
    {
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: path)
        } catch {
            throw BundleError.untrustworthy("\(path) is not a bundle tarmac can read: \(error)", problems: [])
        }
        let scan = try members(reader, bundle: path, limits: limits, tee: tee)
        let sha256 = try FileDigest.sha256Hex(ofFileAt: path)
        var report = scan.report(path: path, sha256: sha256, format: detectedFormat(reader))
        report.teeComplete = scan.teeComplete
        return report
    }

    /// One pass over the members `reader` gives: digests, judgments, the manifest.
    static func members(_ reader: ArchiveReader, bundle path: String, limits: UnpackLimits, tee: ArchiveWriter?)
        throws -> MemberScan
    {
        var scan = MemberScan(limits: limits, bundle: path)
        scan.tee = tee
        // An archive inflated whole keeps its files' data in memory: they are hashed beside the scan.
        if reader.inflatedWhole { scan.digests = BackgroundDigests() }
        // Every path out waits for them: their spans point into the reader's memory.
        defer { scan.digests?.wait() }
        do {
            while let header = try reader.nextEntry() {
                try scan.add(header, reader: reader)
            }
        } catch let error as ArchiveError {
            throw BundleError.untrustworthy("\(path) is damaged: \(error)", problems: scan.hostile)
        }
        scan.collectDigests()
        return scan
    }

    /// The report of a bundle whose members were read as it was written (`WrittenBundleScan`),
    /// with its signature (or statement) checked now, as `inspect` checks it.
    func inspect(_ path: String, scanned: BundleReport, trust: TrustPolicy, at time: Date) async throws
        -> BundleReport
    {
        try Self.requireRegularFile(path, what: "the bundle")
        return try await signed(scanned, path: path, trust: trust, at: time)
    }

    /// `report` with the signature (or statement) beside the bundle at `path` checked.
    private func signed(_ report: BundleReport, path: String, trust: TrustPolicy, at time: Date) async throws
        -> BundleReport
    {
        var report = report
        if Self.hasStatement(path) {
            (report.signature, report.statement) = await checkStatement(
                of: path, report: report, trust: trust, at: time)
        } else {
            report.signature = try await checkSignature(of: path, trust: trust, at: time)
        }
        return report
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

    static func signatureFileProblem(_ sigPath: String) -> String? {
        var info = stat()
        guard stat(sigPath, &info) == 0 else { return "\(sigPath): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "\(sigPath) is not a regular file" }
        guard info.st_size <= 64 << 10 else { return "\(sigPath) is \(info.st_size) bytes, too large for a signature" }
        return nil
    }

    private func checkSignature(of path: String, trust: TrustPolicy, at time: Date) async throws
        -> BundleReport.SignatureStatus
    {
        let sigPath = path + ".sig"
        let requiresSigner = !trust.signers.isEmpty
        guard FileManager.default.fileExists(atPath: sigPath) else {
            return requiresSigner ? .invalid("no signature: \(sigPath) does not exist") : .absent
        }
        // A signature is a few hundred bytes: never read a device or a huge file as one.
        if let problem = Self.signatureFileProblem(sigPath) { return .invalid(problem) }
        guard let armored = try? String(contentsOfFile: sigPath, encoding: .utf8) else {
            return .invalid("\(sigPath) cannot be read as text")
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
