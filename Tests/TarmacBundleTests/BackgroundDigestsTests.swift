import Foundation
import TarmacCore
import TarmacTestSupport
import Testing

@testable import TarmacArchive
@testable import TarmacBundle

/// A bundle inflated whole has its files hashed on a second thread beside the scan; the scan
/// must come out as the one-thread scan of the same bundle streamed, or inflated member by
/// member (tarmac's own tar.gz), digest for digest.
@Suite("bundle: file digests made beside the scan")
struct BackgroundDigestsTests {
    @Test("an archive inflated whole gets the digests and judgments of a streamed one")
    func sameAsStreamed() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        var generator = SystemRandomNumberGenerator()
        // Several files over several of libarchive's blocks, and an empty one.
        for index in 0..<3 {
            let size = (200 << 10) * (index + 1) + index
            try repo.write(
                "site/big\(index).bin", bytes: (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        try repo.write("site/empty.txt", bytes: [])
        _ = try repo.commitAll("big files")
        let outcome = try await bundle(repo, format: .tarGz)

        let whole = try ArchiveReader(
            path: outcome.path, inflatingWholeUpTo: WholeGzip.defaultLimit, firstMemberUpTo: 0)
        let streamed = try ArchiveReader(path: outcome.path, inflatingWholeUpTo: 0)
        let byMember = try ArchiveReader(path: outcome.path)
        #expect(whole.inflatedWhole && !streamed.inflatedWhole && byMember.inflatedByMember)
        let fast = try BundleInspector.members(whole, bundle: outcome.path, limits: .default, tee: nil)
        let slow = try BundleInspector.members(streamed, bundle: outcome.path, limits: .default, tee: nil)
        let members = try BundleInspector.members(byMember, bundle: outcome.path, limits: .default, tee: nil)
        #expect(fast.digests != nil && slow.digests == nil && members.digests == nil)
        #expect(fast.files == slow.files)
        #expect(members.files == slow.files)
        #expect(fast.files.filter { $0.type == .file }.allSatisfy { $0.sha256?.count == 64 })
        #expect(fast.files.count == outcome.manifest.files.count)
        let report = fast.report(path: outcome.path, sha256: outcome.sha256, format: "tar.gz")
        #expect(report.mismatches.isEmpty && report.hostile.isEmpty)
        #expect(report.files == outcome.manifest.files.filter { !$0.path.hasPrefix(".tarmac") })
    }
}
