import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacTestSupport
import Testing

/// The hostile-input suite: bundles crafted the way an attacker would (Python's tarfile and
/// zipfile write what tarmac's own writer never would), each of which must be refused by
/// `inspect` exactly as `apply` refuses it — before anything is written. Add to it.
@Suite("hostile bundles: refused by inspect and by staging alike")
struct HostileBundleTests {
    static let appspec = "version: 0.0\nos: linux\n"

    /// Writes a tar with Python's tarfile (`CraftedTar`).
    static func craft(_ members: String, format: String = "w:gz", name: String = "bundle.tar.gz") throws -> String {
        try CraftedTar.write(members, format: format, name: name, label: "hostile-bundle")
    }

    static func cleanup(_ bundle: String) { CraftedTar.remove(bundle) }

    /// Inspects and stages `bundle`: both must refuse it, and staging must leave its directory empty.
    static func refusedEverywhere(_ bundle: String, limits: UnpackLimits = .default) async throws -> String {
        let report = try await BundleInspector().inspect(bundle, limits: limits)
        #expect(!report.isTrustworthy, "inspect must not verify it")
        let stage = try TestPaths.temporaryDirectory("hostile-stage")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        await #expect(throws: BundleError.self) {
            _ = try await BundleStager().stage(bundle, trustedKeys: [], into: stage, limits: limits)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: stage).isEmpty, "staging wrote nothing")
        return report.hostile.joined(separator: "\n")
    }

    @Test func aSymlinkChainThroughAnEarlierLinkIsRefused() async throws {
        let bundle = try Self.craft(
            """
            add("appspec.yml", b"\(Self.appspec.replacing("\n", with: "\\n"))")
            add("d/up", type=tarfile.SYMTYPE, linkname="..")
            add("pw", type=tarfile.SYMTYPE, linkname="d/up/../etc/passwd")
            """)
        defer { Self.cleanup(bundle) }
        let text = try await Self.refusedEverywhere(bundle)
        #expect(text.contains("symlink \"pw\" escapes the bundle"), "\(text)")
        #expect(text.contains("\"d/up\" → \"..\""), "the chain is named: \(text)")
    }

    @Test func aHookLocationThroughLinksMustBeARegularFileOfTheRevision() async throws {
        let spec =
            Self.appspec
            + "hooks:\n  AfterInstall:\n    - location: start\n  ApplicationStart:\n    - location: scripts\n"
        let bundle = try Self.craft(
            """
            add("appspec.yml", b"\(spec.replacing("\n", with: "\\n"))")
            add("real/run.sh", b"#!/bin/sh\\n", mode=0o755)
            add("scripts", type=tarfile.SYMTYPE, linkname="real")
            add("start", type=tarfile.SYMTYPE, linkname="scripts/run.sh")
            """)
        defer { Self.cleanup(bundle) }
        let report = try await BundleInspector().inspect(bundle)
        #expect(report.isTrustworthy, "the links themselves stay inside: \(report.hostile)")
        let tree = RevisionTree(files: report.revisionFiles)
        let (_, diagnostics) = AppSpec.parse(report.appspecText ?? "", file: "appspec.yml", tree: tree)
        let errors = diagnostics.filter { $0.severity == .error }.map(\.message)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.contains("\"scripts\" is a directory") == true, "\(errors)")
    }

    @Test(arguments: [
        ("file over a directory", "add(\"a\")\nadd(\"a/b\")", "is inside \"a\", which is a file"),
        (
            "link over a directory", "add(\"a/b\")\nadd(\"a\", type=tarfile.SYMTYPE, linkname=\"c\")",
            "which is a symlink"
        ),
        ("duplicate members", "add(\"twice.txt\")\nadd(\"twice.txt\", b\"other\")", "appears more than once"),
        ("a name over 255 bytes", "add(\"d/\" + \"n\" * 256)", "hosts allow at most 255"),
        ("a path over 4095 bytes", "add(\"/\".join([\"p\" * 200] * 21))", "hosts allow at most 4095"),
        ("a name that is not UTF-8", "add(\"bad-\\udcff.txt\")", "not valid UTF-8"),
        (
            "a link loop",
            "add(\"l1\", type=tarfile.SYMTYPE, linkname=\"l2\")\nadd(\"l2\", type=tarfile.SYMTYPE, linkname=\"l1\")",
            "cannot be resolved"
        ),
    ])
    func whatApplyRefusesInspectRefuses(_ label: String, members: String, problem: String) async throws {
        let bundle = try Self.craft("add(\"appspec.yml\", b\"version: 0.0\\nos: linux\\n\")\n" + members)
        defer { Self.cleanup(bundle) }
        let text = try await Self.refusedEverywhere(bundle)
        #expect(text.contains(problem), "\(label): \(text)")
    }

    @Test func worldWritableSetuidAndSetgidMembersAreWarnedAbout() async throws {
        let bundle = try Self.craft(
            """
            add("appspec.yml", b"\(Self.appspec.replacing("\n", with: "\\n"))")
            add("bin/su", mode=0o4755)
            add("bin/sg", mode=0o2755)
            add("open", mode=0o666)
            add("pub", type=tarfile.DIRTYPE, mode=0o777)
            add("fine", mode=0o644)
            """)
        defer { Self.cleanup(bundle) }
        let report = try await BundleInspector().inspect(bundle)
        #expect(report.isTrustworthy, "a warning, not a refusal: \(report.hostile)")
        let text = report.warnings.joined(separator: "\n")
        #expect(report.warnings.count == 4, "\(text)")
        for word in [
            "\"bin/su\" is setuid", "\"bin/sg\" is setgid", "\"open\" is world-writable", "\"pub\" is world-writable",
        ] {
            #expect(text.contains(word), "\(word) missing from \(text)")
        }
    }

    @Test func theUnpackedSizeIsCountedWhileReadingAndStopsAtTheLimit() async throws {
        // 64 MiB of zeros: a few KiB compressed. The limit is 1 MiB; also counted in members
        // that are refused and skipped.
        for body in ["big(\"zeros\", 64 << 20)", "big(\"../hidden\", 64 << 20)"] {
            let bundle = try Self.craft("add(\"appspec.yml\", b\"version: 0.0\\nos: linux\\n\")\n" + body)
            defer { Self.cleanup(bundle) }
            let size = try FileManager.default.attributesOfItem(atPath: bundle)[.size] as? Int ?? 0
            #expect(size < 1 << 20)
            let error = await #expect(throws: BundleError.self) {
                _ = try await BundleInspector().inspect(bundle, limits: UnpackLimits(maxBytes: 1 << 20))
            }
            #expect(
                "\(String(describing: error))".contains("unpacks to more than 1.0 MiB"), "\(String(describing: error))")
            #expect(
                try await BundleInspector().inspect(bundle, limits: UnpackLimits(maxBytes: 65 << 20)).files.count
                    == (body.contains("..") ? 1 : 2))
        }
    }

    @Test func aZipIsCountedToo() async throws {
        let dir = try TestPaths.temporaryDirectory("hostile-zip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = """
            import zipfile, sys
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("appspec.yml", "version: 0.0\\nos: linux\\n")
                z.writestr("zeros", bytes(8 << 20))
            """
        try runCommand("python3", ["-c", script, dir + "/b.zip"], check: true)
        let error = await #expect(throws: BundleError.self) {
            _ = try await BundleStager().stage(
                dir + "/b.zip", trustedKeys: [], into: dir, limits: UnpackLimits(maxBytes: 1 << 20))
        }
        #expect("\(String(describing: error))".contains("unpacks to more than 1.0 MiB"), "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: dir + "/bundle.tar"))
    }

    @Test func tooManyMembersAreRefused() async throws {
        let bundle = try Self.craft(
            "add(\"appspec.yml\", b\"version: 0.0\\nos: linux\\n\")\nfor i in range(50): add(\"f%d\" % i)")
        defer { Self.cleanup(bundle) }
        let error = await #expect(throws: BundleError.self) {
            _ = try await BundleInspector().inspect(bundle, limits: UnpackLimits(maxBytes: 1 << 20, maxMembers: 20))
        }
        #expect("\(String(describing: error))".contains("more than 20 members"), "\(String(describing: error))")
    }

    @Test func onlyRegularFilesAreRead() async throws {
        let dir = try TestPaths.temporaryDirectory("hostile-special")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try runCommand("mkfifo", [dir + "/fifo"], check: true)
        for (path, kind) in [("/dev/zero", "a character device"), (dir + "/fifo", "a FIFO"), (dir, "a directory")] {
            let error = await #expect(throws: BundleError.self) {
                _ = try await BundleInspector().inspect(path)
            }
            #expect(
                error?.isInvalidInput == true && "\(error.map { "\($0)" } ?? "")".contains(kind),
                "\(path): \(String(describing: error))")
        }
    }

    @Test func aSignatureFileThatIsADeviceIsNeverRead() async throws {
        let bundle = try Self.craft("add(\"appspec.yml\", b\"version: 0.0\\nos: linux\\n\")")
        defer { Self.cleanup(bundle) }
        try FileManager.default.createSymbolicLink(atPath: bundle + ".sig", withDestinationPath: "/dev/zero")
        let report = try await BundleInspector().inspect(bundle)
        #expect(report.signature == .invalid("\(bundle).sig is not a regular file"))
    }

    @Test func freeSpaceAndFullDisksAreNamed() {
        #expect(DiskSpace.problem(needed: 100, free: 200, at: "/x", for: "to stage") == nil)
        #expect(DiskSpace.problem(needed: 100, free: nil, at: "/x", for: "to stage") == nil)
        let problem = DiskSpace.problem(needed: 3 << 20, free: 1 << 20, at: "/x", for: "to stage")
        #expect(
            problem
                == "not enough free space in /x to stage: it needs 3.0 MiB (3145728 bytes), and only 1.0 MiB (1048576 bytes) is free"
        )
        #expect(
            DiskSpace.isFull(ArchiveError(archive: "a", operation: "write", message: "Wrote only 3584 of 10240 bytes")))
        #expect(
            DiskSpace.isFull(
                ArchiveError(archive: "a", operation: "write", message: "Write error", errorNumber: ENOSPC)))
        #expect(
            !DiskSpace.isFull(ArchiveError(archive: "a", operation: "write", message: "Write error", errorNumber: EIO)))
        #expect(DiskSpace.freeBytes(at: "/nonexistent/deeper/still") != nil, "the nearest existing ancestor is asked")
    }
}
