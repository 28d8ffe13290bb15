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

    /// `tarmac bundle` in processes of their own with other umasks and time zones (never this
    /// process's: other suites run alongside) writes the same bytes.
    @Test(arguments: ArchiveFormat.allCases)
    func sameBytesUnderAnyUmaskAndTimeZone(format: ArchiveFormat) throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let out = try TestPaths.temporaryDirectory("umask-tz")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var contents: [Data] = []
        for (mask, zone) in [("022", "JST-9"), ("077", "PST8PDT")] {
            let path = "\(out)/\(mask).\(format.rawValue)"
            let result = try runCommand(
                "/bin/sh",
                [
                    "-c", "umask \(mask) && exec \"$0\" bundle --format \(format.rawValue) -o \"$1\"", TestPaths.tarmac,
                    path,
                ],
                in: repo.root, environment: ["TZ": zone])
            #expect(result.status == 0, "\(result.stderr)")
            contents.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(contents[0].count > 1000 && contents[0] == contents[1], "\(format)")
    }

    /// The zip's DOS times are the commit time in UTC, whatever time zone tarmac runs in.
    @Test func zipDosTimesAreUTCInAnyTimeZone() throws {
        let repo = try GitFixture.empty("zip-time")
        defer { repo.remove() }
        try repo.write("appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/x\n")
        try repo.write("a.txt", "a\n")
        try repo.commitAll("one", date: "2023-11-14T22:13:21Z")
        let path = repo.root + "/.git/b.zip"
        let result = try runCommand(
            TestPaths.tarmac, ["bundle", "--format", "zip", "-o", path], in: repo.root, environment: ["TZ": "JST-9"])
        #expect(result.status == 0, "\(result.stderr)")
        let zip = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(zip[0..<4] == [0x50, 0x4b, 3, 4], "local file header")
        let dosTime = UInt16(zip[10]) | UInt16(zip[11]) << 8
        let dosDate = UInt16(zip[12]) | UInt16(zip[13]) << 8
        // DOS time keeps even seconds.
        #expect(dosDate == UInt16((2023 - 1980) << 9 | 11 << 5 | 14), "2023-11-14, not the next day in Japan")
        #expect(dosTime == UInt16(22 << 11 | 13 << 5 | 21 / 2), "22:13:20 UTC, not 07:13 in Japan")
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
