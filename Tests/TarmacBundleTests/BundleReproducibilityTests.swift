import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacTestSupport
import Testing

@Suite("bundle: reproducible bytes")
struct BundleReproducibilityTests {
    /// Two clones made under different umasks, with the files' mtimes changed, give the same bytes.
    @Test(arguments: ArchiveFormat.allCases)
    func sameCommitSameBytesFromAnyClone(format: ArchiveFormat) async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let cloneDir = try TestPaths.temporaryDirectory("clone")
        defer { try? FileManager.default.removeItem(atPath: cloneDir) }
        try runCommand(
            "/bin/sh",
            [
                "-c", "umask 077 && git clone -q \"$0\" \"$1\" && touch -d 2030-01-01 \"$1\"/site/*.html", repo.root,
                cloneDir + "/c",
            ], check: true)
        let clone = GitFixture(root: cloneDir + "/c")

        let first = try await bundle(repo, format: format)
        let second = try await bundle(clone, format: format)
        #expect(first.sha256 == second.sha256)
        let a = try Data(contentsOf: URL(fileURLWithPath: first.path))
        let b = try Data(contentsOf: URL(fileURLWithPath: second.path))
        #expect(a == b)
        if format == .tarGz { #expect(Array(a[4..<8]) == [0, 0, 0, 0], "gzip header carries no timestamp") }
    }

    @Test func zipDoesNotDependOnTheTimeZone() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let out = try TestPaths.temporaryDirectory("tz")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var digests: Set<String> = []
        for zone in ["UTC", "America/Los_Angeles", "Asia/Kolkata"] {
            let result = try runCommand(
                TestPaths.tarmac,
                ["bundle", "--format", "zip", "-o", "\(out)/\(zone.replacingOccurrences(of: "/", with: "-")).zip"],
                in: repo.root, environment: ["TZ": zone])
            #expect(result.status == 0, "\(result.stderr)")
            let path = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            digests.insert(try FileDigest.sha256Hex(ofFileAt: path))
        }
        #expect(digests.count == 1)
    }

    @Test(arguments: [ArchiveFormat.tarGz, .tarZst, .tarXz, .tar])
    func gnuTarReadsWhatWeWrite(format: ArchiveFormat) async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let outcome = try await bundle(repo, format: format)
        let dest = try TestPaths.temporaryDirectory("untar")
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let flag = ["tar.gz": "-z", "tar.zst": "--zstd", "tar.xz": "-J", "tar": "-v"][format.rawValue]!
        try runCommand("tar", [flag, "-xf", outcome.path, "-C", dest], check: true)
        for file in outcome.manifest.files where file.type == .file {
            #expect(try FileDigest.sha256Hex(ofFileAt: dest + "/" + file.path) == file.sha256, "\(file.path)")
        }
        if format == .tarZst { try runCommand("zstd", ["-q", "-t", outcome.path], check: true) }
    }
}
