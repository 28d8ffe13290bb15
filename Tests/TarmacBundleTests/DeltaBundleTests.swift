import Crypto
import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacGit
import TarmacSigning
import TarmacTestSupport
import Testing

/// Two revisions of a small application: r2 changes one file, drops one, adds one and keeps
/// the rest (the AppSpec and a hook script included), with a directory and a symlink.
struct DeltaRevisions {
    var repo: GitFixture
    var base: BundleManifest
    var full: BundleOutcome
    var record: DeltaRecord
    var work: String

    static func make(format: ArchiveFormat) async throws -> DeltaRevisions {
        let repo = try GitFixture.empty("delta")
        try repo.write("appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /opt/site\n")
        try repo.write("scripts/start.sh", "#!/bin/sh\necho start\n", executable: true)
        try repo.write("site/a.txt", "a, first\n")
        try repo.write("site/b.txt", "b, only in r1\n")
        try repo.write("site/same.txt", String(repeating: "unchanged ", count: 500))
        try repo.symlink("site/link", to: "same.txt")
        _ = try repo.commitAll("r1", date: "2026-01-01T00:00:00Z")
        let work = try TestPaths.temporaryDirectory("delta-work")
        var options = BundleOptions()
        options.output = work + "/base." + format.fileExtension
        let base = try await bundle(repo, options, format: format)
        try repo.write("site/a.txt", "a, second\n")
        try FileManager.default.removeItem(atPath: repo.root + "/site/b.txt")
        try repo.write("site/new/c.txt", "c, new in r2\n")
        _ = try repo.commitAll("r2", date: "2026-01-02T00:00:00Z")
        options.output = work + "/full." + format.fileExtension
        let full = try await bundle(repo, options, format: format)
        let record = DeltaRecord(
            baseRevision: base.manifest.revision, baseCommit: base.manifest.commit,
            baseCommitTime: base.manifest.commitTime,
            baseManifestSHA256: SHA256.hash(data: try base.manifest.encodedJSON()).map { String(format: "%02x", $0) }
                .joined())
        return DeltaRevisions(repo: repo, base: base.manifest, full: full, record: record, work: work)
    }

    func writeDelta(_ name: String) throws -> DeltaBundleOutcome {
        try DeltaBundleWriter().write(fullBundle: full.path, base: base, record: record, to: work + "/" + name)
    }

    func remove() {
        repo.remove()
        try? FileManager.default.removeItem(atPath: work)
    }
}

/// Members of an archive in order, with their bytes (small archives only).
func orderedMembers(_ path: String) throws -> [(ArchiveEntryHeader, [UInt8])] {
    let reader = try ArchiveReader(path: path)
    var result: [(ArchiveEntryHeader, [UInt8])] = []
    while let header = try reader.nextEntry() {
        var bytes: [UInt8] = []
        try reader.readData { bytes.append(contentsOf: $0) }
        var copy = header
        if copy.path.hasSuffix("/") { copy.path.removeLast() }
        result.append((copy, bytes))
    }
    return result
}

/// Writes members as a plain tar, as given (for crafted delta bundles).
func writeTar(_ members: [(ArchiveEntryHeader, [UInt8])], to path: String) throws {
    let writer = try ArchiveWriter(path: path, format: .tar)
    for (header, bytes) in members {
        switch header.type {
        case .directory:
            try writer.addDirectory(path: header.path, permissions: header.permissions, mtime: header.mtime)
        case .symlink: try writer.addSymlink(path: header.path, target: header.symlinkTarget ?? "", mtime: header.mtime)
        default:
            try writer.addFile(path: header.path, permissions: header.permissions, mtime: header.mtime, contents: bytes)
        }
    }
    try writer.finish()
}

@Suite("delta bundles: written from a full bundle and a base manifest")
struct DeltaBundleWriterTests {
    @Test(arguments: [ArchiveFormat.tar, .tarGz, .tarZst])
    func carriesDirectoriesLinksAndChangedFilesInTheFullBundlesOrder(format: ArchiveFormat) async throws {
        let revisions = try await DeltaRevisions.make(format: format)
        defer { revisions.remove() }
        let outcome = try revisions.writeDelta("delta." + format.fileExtension)
        #expect(outcome.format == format)
        #expect(outcome.delta.sent.map(\.path) == ["site/a.txt", "site/new/c.txt"])
        #expect(Set(outcome.delta.reused.map(\.path)) == ["appspec.yml", "scripts/start.sh", "site/same.txt"])

        let full = try orderedMembers(revisions.full.path)
        let delta = try orderedMembers(outcome.path)
        let kept: Set<String> = [
            "site/a.txt", "site/new/c.txt", BundleManifest.memberPath, BundleManifest.checksumMemberPath,
        ]
        let expected = full.filter { $0.0.type != .file || kept.contains($0.0.path) }
        #expect(delta.map(\.0.path) == expected.map(\.0.path) + [DeltaRecord.memberPath])
        #expect(delta.dropLast().map(\.0) == expected.map(\.0))
        #expect(delta.dropLast().map(\.1) == expected.map(\.1))
        let manifestBytes = try #require(delta.first { $0.0.path == BundleManifest.memberPath }?.1)
        #expect(manifestBytes == full.first { $0.0.path == BundleManifest.memberPath }?.1)
        #expect(try DeltaRecord.decode(delta.last!.1) == revisions.record)
        #expect(String(decoding: delta.last!.1, as: UTF8.self).hasPrefix("{\n  \"base_commit\""))

        let report = try await BundleInspector().inspect(outcome.path)
        #expect(report.isTrustworthy, "\(report.mismatches) \(report.hostile)")
        #expect(report.format == format.rawValue)
        let summary = try #require(report.delta)
        #expect(summary.record == revisions.record)
        #expect(summary.carriedFiles == 2 && summary.reusedFiles == 3 && summary.targetFiles == 5)
        #expect(summary.carriedBytes == Int64("a, second\n".utf8.count + "c, new in r2\n".utf8.count))
        #expect(report.appspecText == nil)
    }

    @Test(arguments: [ArchiveFormat.tar, .tarGz, .tarZst])
    func sameInputsGiveTheSameBytes(format: ArchiveFormat) async throws {
        let revisions = try await DeltaRevisions.make(format: format)
        defer { revisions.remove() }
        let one = try revisions.writeDelta("one." + format.fileExtension)
        let two = try revisions.writeDelta("two." + format.fileExtension)
        #expect(one.sha256 == two.sha256)
        #expect(FileManager.default.contents(atPath: one.path) == FileManager.default.contents(atPath: two.path))
        #expect(try FileDigest.sha256Hex(ofFileAt: one.path) == one.sha256)
    }

    @Test func aDeltaFromTheTargetItselfCarriesNoFile() async throws {
        let revisions = try await DeltaRevisions.make(format: .tar)
        defer { revisions.remove() }
        var same = revisions
        same.base = revisions.full.manifest
        let outcome = try same.writeDelta("empty.tar")
        #expect(outcome.delta.sent.isEmpty)
        let report = try await BundleInspector().inspect(outcome.path)
        #expect(report.isTrustworthy)
        #expect(report.delta?.carriedFiles == 0)
    }

    @Test func aDeltaIsNotMadeFromADelta() async throws {
        let revisions = try await DeltaRevisions.make(format: .tar)
        defer { revisions.remove() }
        let outcome = try revisions.writeDelta("delta.tar")
        #expect(throws: BundleError.self) {
            _ = try DeltaBundleWriter().write(
                fullBundle: outcome.path, base: revisions.base, record: revisions.record, to: revisions.work + "/x.tar")
        }
        #expect(!FileManager.default.fileExists(atPath: revisions.work + "/x.tar"))
    }
}

@Suite("delta bundles: verification refuses what does not add up")
struct DeltaVerificationTests {
    /// A plain-tar delta, its members, and an inspection of a crafted variant of them.
    func crafted(_ change: ([(ArchiveEntryHeader, [UInt8])]) -> [(ArchiveEntryHeader, [UInt8])]) async throws
        -> BundleReport
    {
        let revisions = try await DeltaRevisions.make(format: .tar)
        defer { revisions.remove() }
        let outcome = try revisions.writeDelta("delta.tar")
        let path = revisions.work + "/crafted.tar"
        try writeTar(change(try orderedMembers(outcome.path)), to: path)
        return try await BundleInspector().inspect(path)
    }

    @Test func aDeltaRecordThatIsNotLastIsRefused() async throws {
        let report = try await crafted { members in
            var members = members
            var extra = members[0]
            extra.0 = ArchiveEntryHeader(path: "site/late.txt", type: .file, permissions: 0o644, size: 1)
            extra.1 = [0x41]
            members.append(extra)
            return members
        }
        #expect(!report.isTrustworthy)
        #expect(report.mismatches.contains { $0.contains("follows .tarmac/delta.json") })
    }

    @Test func aDeltaRecordTwiceIsRefused() async throws {
        let report = try await crafted { $0 + [$0.last!] }
        #expect(report.mismatches.contains { $0.contains("appears more than once") })
    }

    @Test func aDeltaRecordBeforeTheChecksumIsRefused() async throws {
        let report = try await crafted { members in
            var members = members
            let record = members.removeLast()
            members.insert(record, at: members.count - 1)
            return members
        }
        #expect(report.mismatches.contains { $0.contains("comes before the manifest and its checksum") })
    }

    @Test func aMalformedDeltaRecordIsRefused() async throws {
        let report = try await crafted { members in
            var members = members
            members[members.count - 1].1 = Array("{\"base_revision\": 12}".utf8)
            return members
        }
        #expect(!report.isTrustworthy)
        #expect(report.hasDeltaMember && report.delta == nil)
        #expect(report.mismatches.contains { $0.contains(".tarmac/delta.json cannot be read") })
    }

    @Test func aDeltaCarryingAMemberNotInTheManifestIsRefused() async throws {
        let report = try await crafted { members in
            var members = members
            let smuggled = (
                ArchiveEntryHeader(path: "site/evil.sh", type: .file, permissions: 0o755, size: 3), Array("bad".utf8)
            )
            members.insert(smuggled, at: 1)
            return members
        }
        #expect(report.mismatches.contains { $0.contains("site/evil.sh: in the bundle but not in the manifest") })
    }

    @Test func aDeltaFileThatDiffersFromItsManifestIsRefused() async throws {
        let report = try await crafted { members in
            members.map { member in
                guard member.0.path == "site/a.txt" else { return member }
                var changed = member
                changed.1 = Array("a, forged!\n".utf8)
                changed.0.size = Int64(changed.1.count)
                return changed
            }
        }
        #expect(report.mismatches.contains { $0.contains("site/a.txt: content differs from the manifest") })
    }

    @Test func aDeltaMissingADirectoryOrLinkIsRefused() async throws {
        let report = try await crafted { $0.filter { $0.0.path != "site/link" } }
        #expect(
            report.mismatches.contains { $0.contains("site/link: listed in the manifest but missing from the delta") })
    }

    @Test func aFullBundleMissingAMemberIsStillRefused() async throws {
        let revisions = try await DeltaRevisions.make(format: .tar)
        defer { revisions.remove() }
        let path = revisions.work + "/short.tar"
        try writeTar(try orderedMembers(revisions.full.path).filter { $0.0.path != "site/same.txt" }, to: path)
        let report = try await BundleInspector().inspect(path)
        #expect(report.delta == nil && !report.hasDeltaMember)
        #expect(report.mismatches == ["site/same.txt: listed in the manifest but missing from the bundle"])
    }
}

@Suite("manifest cache")
struct ManifestCacheTests {
    @Test func storesByDigestAndReadsBackOnlyWhatMatchesItsName() async throws {
        let revisions = try await DeltaRevisions.make(format: .tar)
        defer { revisions.remove() }
        let cache = ManifestCache(repository: revisions.work)
        let sha = try cache.store(revisions.base)
        #expect(sha == revisions.record.baseManifestSHA256)
        #expect(cache.path(sha256: sha) == revisions.work + "/.tarmac/manifests/\(sha).json")
        #expect(cache.manifest(sha256: sha) == revisions.base)
        #expect(try cache.store(revisions.base) == sha)  // again: unchanged
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.directory)
        #expect(files == ["\(sha).json"])

        // A file changed behind its name is not a manifest of that digest.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: cache.path(sha256: sha)))
        #expect(cache.manifest(sha256: sha) == nil)
        #expect(cache.manifest(sha256: String(repeating: "0", count: 64)) == nil)
        #expect(cache.manifest(sha256: "../../etc/passwd") == nil)
        // Storing again repairs it.
        try cache.store(revisions.base)
        #expect(cache.manifest(sha256: sha) == revisions.base)
    }

    @Test func keepsAnInspectedBundlesManifestUnderItsChecksum() async throws {
        let revisions = try await DeltaRevisions.make(format: .tarGz)
        defer { revisions.remove() }
        let report = try await BundleInspector().inspect(revisions.full.path)
        let cache = ManifestCache(repository: revisions.work)
        #expect(cache.keep(report))
        let sha = try #require(report.manifestSHA256)
        #expect(cache.manifest(sha256: sha) == revisions.full.manifest)
    }
}

@Suite("staging: the host's archive keeps the manifest, a delta stages its whole revision")
struct DeltaStagingTests {
    @Test(arguments: [false, true])
    func aStagedFullBundleCarriesTheManifestAndItsChecksum(unpackLocally: Bool) async throws {
        let revisions = try await DeltaRevisions.make(format: .tarZst)
        defer { revisions.remove() }
        let staged = try await BundleStager().stage(
            revisions.full.path, trust: TrustPolicy(trustedKeys: []), into: revisions.work,
            unpackLocally: unpackLocally)
        #expect(staged.verifiedCopy == unpackLocally)
        let members = try orderedMembers(staged.transferPath)
        #expect(members.suffix(2).map(\.0.path) == [BundleManifest.memberPath, BundleManifest.checksumMemberPath])
        let original = try orderedMembers(revisions.full.path)
        #expect(members.map(\.1) == original.map(\.1))
        #expect(staged.files == revisions.full.manifest.files)
        #expect(staged.delta == nil && !staged.appspecFromBase)
    }

    @Test(arguments: [false, true])
    func aStagedDeltaListsTheWholeRevisionAndCarriesOnlyItsMembers(unpackLocally: Bool) async throws {
        let revisions = try await DeltaRevisions.make(format: .tarZst)
        defer { revisions.remove() }
        let outcome = try revisions.writeDelta("delta.tar.zst")
        let staged = try await BundleStager().stage(
            outcome.path, trust: TrustPolicy(trustedKeys: []), into: revisions.work, unpackLocally: unpackLocally)
        #expect(staged.files == revisions.full.manifest.files)
        #expect(staged.appspecFromBase && staged.appspecName == "appspec.yml" && staged.appspecText.isEmpty)
        #expect(staged.delta?.record == revisions.record)
        let members = try orderedMembers(staged.transferPath)
        #expect(members.map(\.0.path) == (try orderedMembers(outcome.path)).map(\.0.path))
        #expect(members.last?.0.path == DeltaRecord.memberPath)
    }
}
