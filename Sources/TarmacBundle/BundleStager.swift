import Crypto
import Foundation
import TarmacArchive
import TarmacCore
import TarmacSigning

/// A verified bundle turned into what a host unpacks with `tar`.
public struct StagedBundle: Sendable {
    /// The file the host receives: the bundle itself when it is a tar or tar.gz without a
    /// wrapper directory (checked member by member when inspected, and by its SHA-256 on the
    /// host), else a plain tar of the revision alone (wrapper stripped; of `.tarmac/` only the
    /// manifest, its checksum and a delta's record, which the host keeps in the revision's
    /// archive: a later delta names its base by them).
    public var transferPath: String
    /// The SHA-256 of `transferPath`, which the host checks before unpacking (of a
    /// `verifiedCopy`, which the host does not check: the bundle's own, for the history).
    public var transferSHA256: String
    /// `transferPath` is a plain tar tarmac wrote itself while it verified the bundle, in a
    /// directory only it can write: the host unpacks it where it is (`BundleSource.verifiedFile`).
    public var verifiedCopy = false
    /// The revision's members, relative to its root.
    public var files: [BundleManifest.File]
    public var appspecName: String
    /// The AppSpec's text; empty when `appspecFromBase` (a delta that does not carry it).
    public var appspecText: String
    public var report: BundleReport
    /// A delta whose AppSpec is unchanged since its base: the host's base revision has it
    /// (the manifest's entry names its SHA-256); the caller reads it from there.
    public var appspecFromBase = false

    /// What a delta bundle needs installed and carries; nil for a full bundle.
    public var delta: BundleReport.DeltaSummary? { report.delta }
}

/// Verifies a bundle (manifest, hostile members, signature) and stages it for a host.
/// Nothing is staged from a bundle that is not trustworthy.
public struct BundleStager: Sendable {
    public init() {}

    /// Inspects `path` (reading stops at `limits`) and writes the host's tar into `directory`,
    /// after checking that `directory` has room for it.
    ///
    /// `scanned` is the report a builder made of the members as it wrote this very bundle
    /// (`BundleOptions.scanLimits`, within the same `limits`): then the bundle is not read
    /// again; only its signature is checked, and each host checks its SHA-256.
    public func stage(
        _ path: String, trustedKeys: [SSHPublicKey], into directory: String, limits: UnpackLimits = .default,
        scanned: BundleReport? = nil
    ) async throws -> StagedBundle {
        try await stage(
            path, trust: TrustPolicy(trustedKeys: trustedKeys), into: directory, limits: limits, scanned: scanned)
    }

    /// Inspects `path`, judging its signer by `trust` at `time` (reading stops at `limits`), and
    /// writes the host's tar into `directory` after checking that `directory` has room for it.
    ///
    /// With `unpackLocally` (`tarmac apply`), the revision is copied into a plain tar in
    /// `directory` as it is read and verified, so this host never decompresses it again.
    public func stage(
        _ path: String, trust: TrustPolicy, at time: Date = Date(), into directory: String,
        limits: UnpackLimits = .default, unpackLocally: Bool = false, scanned: BundleReport? = nil
    ) async throws -> StagedBundle {
        let teePath = directory + "/revision.tar"
        let tee = unpackLocally ? try ArchiveWriter(path: teePath, format: .tar) : nil
        let report: BundleReport
        if let scanned, tee == nil {
            report = try await BundleInspector().inspect(path, scanned: scanned, trust: trust, at: time)
        } else {
            report = try await BundleInspector().inspect(path, trust: trust, at: time, limits: limits, tee: tee)
        }
        guard report.isTrustworthy else {
            var problems = report.hostile + report.mismatches
            if case .invalid(let reason) = report.signature { problems.append("signature: \(reason)") }
            throw BundleError.untrustworthy("\(path) must not be installed:", problems: problems)
        }
        let (name, text, fromBase) = try Self.appspec(of: report, path: path)
        let prefix = report.wrapperDirectory.map { $0 + "/" } ?? ""
        // A delta installs the whole revision its manifest lists; it carries only some of it.
        let files = report.delta != nil ? Self.manifestRevision(report) : report.revisionFiles
        let carried = report.revisionFiles
        if let tee, report.teeComplete, report.wrapperDirectory == nil {
            try tee.finish()
            var staged = StagedBundle(
                transferPath: teePath, transferSHA256: report.sha256,
                files: files, appspecName: name, appspecText: text, report: report)
            staged.verifiedCopy = true
            staged.appspecFromBase = fromBase
            return staged
        }
        try? FileManager.default.removeItem(atPath: teePath)
        if (report.format == "tar.gz" || report.format == "tar") && report.wrapperDirectory == nil {
            var staged = StagedBundle(
                transferPath: path, transferSHA256: report.sha256, files: files, appspecName: name,
                appspecText: text, report: report)
            staged.appspecFromBase = fromBase
            return staged
        }
        let tarPath = directory + "/bundle.tar"
        let needed = Self.tarBytes(of: carried)
        try DiskSpace.require(needed, in: directory, for: "to stage \(path) as a plain tar")
        let expected = Dictionary(carried.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        do {
            try await runBlocking { try Self.copy(path, prefix: prefix, to: tarPath, expected: expected) }
        } catch let error as ArchiveError where DiskSpace.isFull(error) {
            throw BundleError.failed(DiskSpace.fullMessage(writing: tarPath, needed: needed))
        }
        let sha256 = try await runBlocking { try FileDigest.sha256Hex(ofFileAt: tarPath) }
        var staged = StagedBundle(
            transferPath: tarPath, transferSHA256: sha256, files: files, appspecName: name, appspecText: text,
            report: report)
        staged.appspecFromBase = fromBase
        return staged
    }

    /// The AppSpec's name and text; a delta that does not carry it (unchanged since the base)
    /// gives an empty text and `fromBase`.
    static func appspec(of report: BundleReport, path: String) throws -> (String, String, fromBase: Bool) {
        if let name = report.appspecName, let text = report.appspecText { return (name, text, false) }
        if report.delta != nil, let manifest = report.manifest,
            manifest.files.contains(where: { $0.path == manifest.appspec && $0.type == .file })
        {
            return (manifest.appspec, "", true)
        }
        throw BundleError.invalidInput("\(path) has no appspec.yml or appspec.yaml at its root")
    }

    /// The whole revision a delta's manifest lists (`.tarmac/` left out).
    static func manifestRevision(_ report: BundleReport) -> [BundleManifest.File] {
        let reserved = BundleManifest.reservedDirectory
        return (report.manifest?.files ?? []).filter { $0.path != reserved && !$0.path.hasPrefix(reserved + "/") }
    }

    /// Bytes of a plain tar of `files`: headers, data padded to 512 bytes, a pax header for
    /// long names, and the end blocks.
    static func tarBytes(of files: [BundleManifest.File]) -> Int64 {
        files.reduce(10240) { total, file in
            let names = Int64(file.path.utf8.count + (file.target?.utf8.count ?? 0))
            let pax: Int64 = names > 99 ? 512 + (names + 600 + 511) / 512 * 512 : 0
            return total + 512 + pax + (file.size + 511) / 512 * 512
        }
    }

    /// Copies the revision's members into a plain tar, re-checking each file's digest so a
    /// bundle changed since it was inspected is caught.
    static func copy(_ path: String, prefix: String, to output: String, expected: [String: BundleManifest.File])
        throws
    {
        let reader = try ArchiveReader(path: path)
        let writer = try ArchiveWriter(path: output, format: .tar)
        while let header = try reader.nextEntry() {
            var name = header.path
            while name.hasPrefix("./") { name.removeFirst(2) }
            if name.hasSuffix("/") { name.removeLast() }
            if prefix.isEmpty, header.type == .file, reservedMembers.contains(name) {
                try copyReserved(header, as: name, from: reader, to: writer)
                continue
            }
            guard name.hasPrefix(prefix), name.count > prefix.count,
                expected.keys.contains(String(name.dropFirst(prefix.count)))
            else {
                try reader.skipData()
                continue
            }
            let relative = String(name.dropFirst(prefix.count))
            switch header.type {
            case .directory:
                try writer.addDirectory(path: relative, permissions: header.permissions, mtime: header.mtime)
            case .symlink:
                try writer.addSymlink(path: relative, target: header.symlinkTarget ?? "", mtime: header.mtime)
            case .file:
                try writer.beginFile(
                    path: relative, permissions: header.permissions, size: header.size, mtime: header.mtime)
                var hasher = SHA256()
                var written: Int64 = 0
                let limit = expected[relative]?.size ?? 0
                try reader.readData { block in
                    // Never more than inspected: a bundle swapped since cannot grow on disk.
                    written += Int64(block.count)
                    guard written <= limit else {
                        throw BundleError.untrustworthy(
                            "\(path) changed while it was being read: \(relative) is larger than inspected",
                            problems: [])
                    }
                    hasher.update(bufferPointer: block)
                    try writer.writeData(block)
                }
                guard hasher.finalize().hex == expected[relative]?.sha256 else {
                    throw BundleError.untrustworthy(
                        "\(path) changed while it was being read: \(relative) differs", problems: [])
                }
            case .hardlink, .other:
                throw BundleError.untrustworthy(
                    "\(path): \(relative) is a link or special file tarmac does not install", problems: [])
            }
        }
        try writer.finish()
    }

    /// Members of `.tarmac/` the host keeps in the revision's archive (where a later delta finds its base).
    static let reservedMembers: Set<String> = [
        BundleManifest.memberPath, BundleManifest.checksumMemberPath, DeltaRecord.memberPath,
    ]

    private static func copyReserved(
        _ header: ArchiveEntryHeader, as name: String, from reader: ArchiveReader, to writer: ArchiveWriter
    ) throws {
        guard header.size <= BundleInspector.manifestLimit else {
            throw BundleError.untrustworthy("\(name) changed while it was being read: it is too large", problems: [])
        }
        try writer.beginFile(path: name, permissions: header.permissions, size: header.size, mtime: header.mtime)
        var written: Int64 = 0
        try reader.readData { block in
            written += Int64(block.count)
            guard written <= header.size else {
                throw BundleError.untrustworthy("\(name) changed while it was being read", problems: [])
            }
            try writer.writeData(block)
        }
    }
}
