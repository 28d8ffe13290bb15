import Foundation
import TarmacTestSupport
import Testing

/// The hostile-input suite, end to end: bundles crafted as an attacker would (Python's
/// tarfile), refused by `bundle`, `inspect` and `apply` alike with exit 2, and nothing written
/// under the deployment root or the destinations. `apply` runs in a private mount namespace
/// with its own /opt. Add to it.
@Suite("hostile bundles: bundle, inspect and apply refuse them", .serialized)
struct HostileApplyTests {
    /// `a/b/…/j/up` → ten levels up, which is the bundle root; lexically harmless. Then a
    /// path through `up` with eleven `..`, lexically `opt/victim.sh` inside the bundle, on
    /// the host `/opt/victim.sh`.
    static let chainMembers = """
        add("a/b/c/d/e/f/g/h/i/j/up", type=tarfile.SYMTYPE, linkname="../" * 10)
        add("hook.sh", type=tarfile.SYMTYPE, linkname="a/b/c/d/e/f/g/h/i/j/up/" + "../" * 11 + "opt/victim.sh")
        """

    /// A tar.gz crafted with Python's tarfile (`CraftedTar`), `appspec` first.
    static func craft(_ appspec: String, _ members: String) throws -> String {
        try CraftedTar.write(
            "add(\"appspec.yml\", sys.argv[2].encode())\n" + members, label: "hostile-apply", arguments: [appspec])
    }

    static func cleanup(_ bundle: String) { CraftedTar.remove(bundle) }

    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    @Test func bundleRefusesAnEscapingChainAndWritesNothing() throws {
        let repo = try GitFixture.empty("hostile-bundle")
        defer { repo.remove() }
        try repo.write("appspec.yml", "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: tool\n")
        try repo.write("d/keep.txt", "x\n")
        try repo.symlink("d/up", to: "..")
        try repo.symlink("tool", to: "d/up/../usr/bin/id")
        try repo.commitAll("a chain out")
        let result = try repo.tarmac("bundle", "-o", "out.tar.gz")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("symlink \"tool\" escapes the bundle"), "\(result.stderr)")
        #expect(result.stderr.contains("hook script \"tool\" leads out of the revision"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/out.tar.gz"))
        #expect(!Self.entries(repo.root).contains { $0.hasPrefix(".tarmac-partial") })
    }

    @Test func aHookThroughAChainNeverTouchesTheHostFile() throws {
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let victim = mounts.optDirectory + "/victim.sh"
        try "#!/bin/sh\ntouch /opt/pwned\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: victim)
        let bundle = try Self.craft(
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: hook.sh\n", Self.chainMembers)
        defer { Self.cleanup(bundle) }

        let inspected = try runCommand(TestPaths.tarmac, ["inspect", bundle])
        #expect(inspected.status == 2, "\(inspected.stderr)")
        #expect(inspected.stderr.contains("symlink \"hook.sh\" escapes the bundle"), "\(inspected.stderr)")
        #expect(!inspected.stderr.contains("\nverified"))

        let applied = try mounts.run("\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\"", environment: ["B": bundle])
        #expect(applied.status == 2, "\(applied.stderr)")
        #expect(applied.stderr.contains("escapes the bundle"), "\(applied.stderr)")
        #expect(applied.stderr.contains("nothing was changed"))
        let mode = try FileManager.default.attributesOfItem(atPath: victim)[.posixPermissions] as? Int
        #expect(mode == 0o644, "the host file was not made executable")
        #expect(!FileManager.default.fileExists(atPath: mounts.optDirectory + "/pwned"), "and not run")
        #expect(Self.entries(mounts.deploymentRoot).isEmpty, "nothing under the deployment root")
    }

    @Test(arguments: [
        ("a file over a directory", "add(\"app/a\")\nadd(\"app/a/b\")", "which is a file"),
        ("duplicate members", "add(\"app/x\")\nadd(\"app/x\", b\"y\")", "appears more than once"),
        ("a name that is not UTF-8", "add(\"app/bad-\\udcff\")", "not valid UTF-8"),
        ("a name over 255 bytes", "add(\"app/\" + \"n\" * 256)", "at most 255"),
    ])
    func whatApplyRefusesInspectRefuses(_ label: String, members: String, problem: String) throws {
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let spec = "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/app\n"
        let bundle = try Self.craft(spec, members)
        defer { Self.cleanup(bundle) }
        let inspected = try runCommand(TestPaths.tarmac, ["inspect", bundle, "--json"])
        #expect(inspected.status == 2, "\(label): \(inspected.stderr)")
        #expect(inspected.stdout.contains(problem), "\(label): \(inspected.stdout)")
        let applied = try mounts.run("\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\"", environment: ["B": bundle])
        #expect(applied.status == 2, "\(label): \(applied.stderr)")
        #expect(applied.stderr.contains(problem), "\(label): \(applied.stderr)")
        #expect(!FileManager.default.fileExists(atPath: mounts.optDirectory + "/app"), "\(label)")
        #expect(Self.entries(mounts.deploymentRoot).isEmpty, "\(label)")
    }

    @Test func anUnpackedSizeOverTheLimitOrTheFreeSpaceIsRefused() throws {
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let spec = "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/app\n"
        let bundle = try Self.craft(spec, "add(\"app/zeros\", bytes(3 << 20))")
        defer { Self.cleanup(bundle) }
        let limited = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --max-unpacked-size 1M", environment: ["B": bundle])
        #expect(limited.status == 2, "\(limited.stderr)")
        #expect(limited.stderr.contains("unpacks to more than 1.0 MiB"), "\(limited.stderr)")
        #expect(Self.entries(mounts.deploymentRoot).isEmpty)
        // A deployment root with 1 MiB free: refused after the probe, before DownloadBundle.
        let small = try mounts.run(
            "mkdir -p /opt/tiny && mount -t tmpfs -o size=1m tiny /opt/tiny && "
                + "\"$TARMAC\" apply \"$B\" --deployment-root /opt/tiny/root; s=$?; "
                + "ls -A /opt/tiny/root/*/ 2>/dev/null | grep -v '^$' >&2; exit $s",
            environment: ["B": bundle])
        #expect(small.status == 2, "\(small.stderr)")
        #expect(small.stderr.contains("not enough free space in /opt/tiny/root"), "\(small.stderr)")
        #expect(!small.stderr.contains("deployment-archive"))
        #expect(!FileManager.default.fileExists(atPath: mounts.optDirectory + "/app"))
    }

    @Test func inspectRefusesDevicesAndWarnsAboutSetuid() throws {
        let zero = try runCommand(TestPaths.tarmac, ["inspect", "/dev/zero"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("/dev/zero is a character device"), "\(zero.stderr)")
        let bundle = try Self.craft("version: 0.0\nos: linux\n", "add(\"su\", mode=0o4755)\nadd(\"w\", mode=0o666)")
        defer { Self.cleanup(bundle) }
        let text = try runCommand(TestPaths.tarmac, ["inspect", bundle])
        #expect(text.status == 0, "a warning, not a refusal: \(text.stderr)")
        #expect(text.stderr.contains("warning: \"su\" is setuid (mode 4755)"), "\(text.stderr)")
        let json = try runCommand(TestPaths.tarmac, ["inspect", bundle, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["warnings"] as? [String])?.count == 2, "\(json.stdout)")
    }
}
