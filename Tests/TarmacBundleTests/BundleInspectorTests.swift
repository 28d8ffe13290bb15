import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacSigning
import TarmacTestSupport
import Testing

@Suite("inspect: verification of tarmac's own and foreign bundles")
struct BundleInspectorTests {
    @Test func ownBundleVerifies() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let outcome = try await bundle(repo)
        let report = try await BundleInspector().inspect(outcome.path)
        #expect(report.isTrustworthy)
        #expect(report.manifest == outcome.manifest)
        #expect(report.format == "tar.gz")
        #expect(report.sha256 == outcome.sha256)
        #expect(report.appspecName == "appspec.yml")
        #expect(report.signature == .absent)
    }

    /// An uncompressed bundle whose file bytes are changed in place, keeping sizes.
    @Test func tamperedContentIsNamed() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let outcome = try await bundle(repo, format: .tar)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: outcome.path))
        let needle = Data("Getting started".utf8)
        let range = try #require(bytes.range(of: needle))
        bytes.replaceSubrange(range, with: Data("Getting STARTED".utf8))
        try bytes.write(to: URL(fileURLWithPath: outcome.path))
        let report = try await BundleInspector().inspect(outcome.path)
        #expect(!report.isTrustworthy)
        #expect(report.mismatches.count == 1)
        #expect(report.mismatches.first?.hasPrefix("site/guide/getting-started.html: content differs") == true)
    }

    @Test func hostileMembersAreReportedNeverFollowed() async throws {
        let dir = try TestPaths.temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = """
            import io, tarfile, sys
            with tarfile.open(sys.argv[1], "w:gz") as t:
                def add(name, data=b"x", **kw):
                    info = tarfile.TarInfo(name)
                    for k, v in kw.items(): setattr(info, k, v)
                    info.size = len(data) if info.type == tarfile.REGTYPE else 0
                    t.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
                add("appspec.yml", b"version: 0.0\\nos: linux\\n")
                add("../escape.txt")
                add("/etc/abs.txt")
                add("lnk", type=tarfile.SYMTYPE, linkname="/etc")
                add("lnk/pwned.txt")
                add("up", type=tarfile.SYMTYPE, linkname="../../outside")
                add("hl", type=tarfile.LNKTYPE, linkname="/etc/shadow")
                add("dev", type=tarfile.CHRTYPE)
                add("fifo", type=tarfile.FIFOTYPE)
                add("ok.txt", b"fine")
            """
        try runCommand("python3", ["-c", script, dir + "/hostile.tar.gz"], check: true)
        let report = try await BundleInspector().inspect(dir + "/hostile.tar.gz")
        #expect(!report.isTrustworthy)
        let text = report.hostile.joined(separator: "\n")
        #expect(report.hostile.count == 8, "\(text)")
        for word in [
            "escape.txt", "absolute path", "symlink \"lnk\" escapes", "goes through the symlink",
            "symlink \"up\" escapes", "hard link", "device files", "fifo",
        ] {
            #expect(text.contains(word), "\(word) missing from \(text)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/../escape.txt"))
    }

    @Test func foreignTarGzWithWrapperDirectory() async throws {
        let dir = try TestPaths.temporaryDirectory("foreign")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/myapp/scripts", withIntermediateDirectories: true)
        try "version: 0.0\nos: linux\nfiles:\n  - source: index.html\n    destination: /var/www\n".write(
            toFile: dir + "/myapp/appspec.yml", atomically: true, encoding: .utf8)
        try "hello".write(toFile: dir + "/myapp/index.html", atomically: true, encoding: .utf8)
        try runCommand("tar", ["-czf", dir + "/foreign.tar.gz", "-C", dir, "myapp"], check: true)
        try runCommand("/bin/sh", ["-c", "cd \"$0\" && zip -qr foreign.zip myapp", dir], check: true)
        for name in ["foreign.tar.gz", "foreign.zip"] {
            let report = try await BundleInspector().inspect(dir + "/" + name)
            #expect(report.manifest == nil)
            #expect(report.wrapperDirectory == "myapp", "\(name)")
            #expect(report.appspecName == "appspec.yml", "\(name)")
            #expect(report.isTrustworthy, "\(name)")
            #expect(report.format == (name.hasSuffix("zip") ? "zip" : "tar.gz"))
        }
    }

    @Test func notAnArchiveIsAClearError() async throws {
        let dir = try TestPaths.temporaryDirectory("junk")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "this is not an archive\n".write(toFile: dir + "/junk.tar.gz", atomically: true, encoding: .utf8)
        await #expect(throws: BundleError.self) { try await BundleInspector().inspect(dir + "/junk.tar.gz") }
    }
}

@Suite("sign: SSHSIG bundles, checked by ssh-keygen and by us")
struct BundleSigningTests {
    @Test func signedBundleVerifiesWithSSHKeygenAndTrustKey() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let keys = try TestPaths.temporaryDirectory("keys")
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try runCommand(
            "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "release", "-f", keys + "/release"], check: true)
        try runCommand(
            "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "other", "-f", keys + "/other"], check: true)
        var options = BundleOptions()
        options.signingKeyPath = keys + "/release"
        let outcome = try await bundle(repo, options)
        let sig = try #require(outcome.signaturePath)
        #expect(sig == outcome.path + ".sig")

        let pub = try String(contentsOfFile: keys + "/release.pub", encoding: .utf8)
        try "release@tarmac \(pub)".write(toFile: keys + "/allowed", atomically: true, encoding: .utf8)
        let verify = try runCommand(
            "/bin/sh",
            [
                "-c", "ssh-keygen -Y verify -n tarmac -f \"$0\" -I release@tarmac -s \"$1\" < \"$2\"",
                keys + "/allowed", sig, outcome.path,
            ])
        #expect(verify.status == 0, "\(verify.stderr)")

        let trusted = try SSHPublicKey(authorizedKeyLine: pub.trimmingCharacters(in: .newlines))
        let other = try SSHPublicKey(
            authorizedKeyLine: try String(contentsOfFile: keys + "/other.pub", encoding: .utf8).trimmingCharacters(
                in: .newlines))
        let good = try await BundleInspector().inspect(outcome.path, trustedKeys: [trusted])
        #expect(good.signature == .valid(signer: trusted.fingerprint, trusted: true))
        let wrongKey = try await BundleInspector().inspect(outcome.path, trustedKeys: [other])
        #expect(wrongKey.signature.word == "invalid")
        #expect(!wrongKey.isTrustworthy)
    }

    @Test func unsignedBundleFailsWhenAKeyIsTrusted() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let keys = try TestPaths.temporaryDirectory("keys")
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keys + "/k"], check: true)
        let outcome = try await bundle(repo)
        let key = try SSHPublicKey(
            authorizedKeyLine: try String(contentsOfFile: keys + "/k.pub", encoding: .utf8).trimmingCharacters(
                in: .newlines))
        let report = try await BundleInspector().inspect(outcome.path, trustedKeys: [key])
        #expect(report.signature.word == "invalid")
        #expect(!report.isTrustworthy)
    }
}
