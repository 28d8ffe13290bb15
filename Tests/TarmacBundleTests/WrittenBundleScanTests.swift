import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacTestSupport
import Testing

/// A bundle read back while it is written (`BundleOptions.scanLimits`) gives the report that
/// inspecting the finished file gives, so a deployment can stage what it built without
/// decompressing it again; a scan that stops gives none, and the bundle is unaffected.
@Suite("bundle: the report made while writing")
struct WrittenBundleScanTests {
    /// The sample app, plus a symlink and a file that spans several compressed chunks.
    func fixture() throws -> GitFixture {
        let repo = try GitFixture.copy("sample-app")
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<(600 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try repo.write("site/big.bin", bytes: noise)
        try repo.symlink("site/home.html", to: "index.html")
        _ = try repo.commitAll("big file and a link")
        return repo
    }

    @Test("matches the inspection of the finished bundle", arguments: [ArchiveFormat.tarGz, .tarZst])
    func sameAsInspection(format: ArchiveFormat) async throws {
        let repo = try fixture()
        defer { repo.remove() }
        var options = BundleOptions()
        options.scanLimits = .default
        let outcome = try await bundle(repo, options, format: format)
        let scanned = try #require(outcome.scanned)
        let inspected = try await BundleInspector().inspect(outcome.path)

        #expect(scanned.path == outcome.path && inspected.path == outcome.path)
        #expect(scanned.sha256 == inspected.sha256 && scanned.sha256 == outcome.sha256)
        #expect(scanned.format == inspected.format && scanned.format == format.rawValue)
        #expect(scanned.files == inspected.files)
        #expect(scanned.files.contains { $0.path == "site/home.html" && $0.type == .symlink })
        #expect(scanned.files.contains { $0.path == "site/big.bin" && $0.size == 600 << 10 })
        #expect(scanned.manifest == inspected.manifest && scanned.manifest == outcome.manifest)
        #expect(scanned.manifestSHA256 == inspected.manifestSHA256 && scanned.manifestSHA256 != nil)
        #expect(scanned.hasManifestMember && inspected.hasManifestMember)
        #expect(scanned.hostile == inspected.hostile && scanned.hostile.isEmpty)
        #expect(scanned.mismatches == inspected.mismatches && scanned.mismatches.isEmpty)
        #expect(scanned.warnings == inspected.warnings)
        #expect(scanned.appspecName == inspected.appspecName && scanned.appspecText == inspected.appspecText)
        #expect(scanned.wrapperDirectory == nil && inspected.wrapperDirectory == nil)
        #expect(scanned.delta == nil && !scanned.hasDeltaMember)

        // Staged from the report, the bundle is what staging it from the file gives.
        let work = try TestPaths.temporaryDirectory("written-scan")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let fromScan = try await BundleStager().stage(outcome.path, trustedKeys: [], into: work, scanned: scanned)
        let fromFile = try await BundleStager().stage(outcome.path, trustedKeys: [], into: work)
        #expect(fromScan.files == fromFile.files)
        #expect(fromScan.transferSHA256 == fromFile.transferSHA256)
        #expect(fromScan.appspecText == fromFile.appspecText)
    }

    /// The report spares the read of the bundle, never its judgment: a signature planted beside
    /// it is still checked, and a report that found a hostile member is still refused.
    @Test("staging from the report still refuses a bad signature and a hostile finding")
    func reportIsStillJudged() async throws {
        let repo = try fixture()
        defer { repo.remove() }
        var options = BundleOptions()
        options.scanLimits = .default
        let outcome = try await bundle(repo, options, format: .tarGz)
        let scanned = try #require(outcome.scanned)
        let work = try TestPaths.temporaryDirectory("written-scan")
        defer { try? FileManager.default.removeItem(atPath: work) }

        var hostile = scanned
        hostile.hostile = ["'site/evil' is a symlink that leaves the revision"]
        await #expect(throws: BundleError.self) {
            try await BundleStager().stage(outcome.path, trustedKeys: [], into: work, scanned: hostile)
        }

        try "-----BEGIN SSH SIGNATURE-----\nnot a signature\n-----END SSH SIGNATURE-----\n".write(
            toFile: outcome.path + ".sig", atomically: true, encoding: .utf8)
        await #expect(throws: BundleError.self) {
            try await BundleStager().stage(outcome.path, trustedKeys: [], into: work, scanned: scanned)
        }
    }

    @Test("a scan over its limits gives no report, and the bundle is built all the same")
    func overLimits() async throws {
        let repo = try fixture()
        defer { repo.remove() }
        var options = BundleOptions()
        options.scanLimits = UnpackLimits(maxBytes: 100 << 10)
        let outcome = try await bundle(repo, options, format: .tarZst)
        #expect(outcome.scanned == nil)
        let inspected = try await BundleInspector().inspect(outcome.path)
        #expect(inspected.isTrustworthy && inspected.sha256 == outcome.sha256)
        // Staging the file applies the same limits and refuses it.
        let work = try TestPaths.temporaryDirectory("written-scan")
        defer { try? FileManager.default.removeItem(atPath: work) }
        await #expect(throws: BundleError.self) {
            try await BundleStager().stage(
                outcome.path, trustedKeys: [], into: work, limits: UnpackLimits(maxBytes: 100 << 10))
        }
    }

    @Test("not asked for, or a plain tar: no report")
    func notScanned() async throws {
        let repo = try fixture()
        defer { repo.remove() }
        #expect(try await bundle(repo, format: .tarGz).scanned == nil)
        var options = BundleOptions()
        options.scanLimits = .default
        #expect(try await bundle(repo, options, format: .tar).scanned == nil)
    }
}
