import Foundation
import TarmacTestSupport
import Testing

/// `--trust-key` with allowed_signers files, `--signer-identity` and `--revoked`, through the binary.
@Suite("tarmac --trust-key")
struct TrustKeyTests {
    /// A signed bundle (`b.tar.zst` by key `k`), another key `other`, and a place for trust files.
    struct Signed {
        let repo: GitFixture
        let dir: String
        let keyLine: String

        init() throws {
            repo = try GitFixture.copy("sample-app")
            dir = try TestPaths.temporaryDirectory("trust-key")
            try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir + "/k"], check: true)
            try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir + "/other"], check: true)
            let signed = try repo.tarmac(
                "bundle", "--format", "tar.zst", "--sign", dir + "/k", "-o", dir + "/b.tar.zst")
            guard signed.status == 0 else { throw CommandFailure(signed.stderr) }
            keyLine = try String(contentsOfFile: dir + "/k.pub", encoding: .utf8)
                .split(separator: " ").prefix(2).joined(separator: " ")
        }

        func write(_ text: String, to name: String) throws -> String {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            return dir + "/" + name
        }

        func inspect(_ extra: String...) throws -> CommandResult {
            try runCommand(TestPaths.tarmac, ["inspect", dir + "/b.tar.zst"] + extra, in: repo.root)
        }

        func remove() {
            repo.remove()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    struct CommandFailure: Error { let message: String; init(_ message: String) { self.message = message } }

    @Test func allowedSignersFileWithAndWithoutIdentity() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let file = try signed.write(
            "# release\nci@example.com namespaces=\"tarmac\" \(signed.keyLine)\n", to: "allowed")
        let any = try signed.inspect("--trust-key", file)
        #expect(any.status == 0, "\(any.stderr)")
        #expect(any.stderr.contains("(trusted)"))
        let named = try signed.inspect("--trust-key", file, "--signer-identity", "ci@example.com")
        #expect(named.status == 0, "\(named.stderr)")
        let wrong = try signed.inspect("--trust-key", file, "--signer-identity", "ops@example.com")
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("\(file):2: identity 'ops@example.com' is not among the principals"))
    }

    @Test func eachOpenSSHRefusalExitsTwoNamingFileAndLine() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let namespaces = try signed.write("ci namespaces=\"file\" \(signed.keyLine)\n", to: "ns")
        let expired = try signed.write("\nci valid-before=\"20200101Z\" \(signed.keyLine)\n", to: "expired")
        let marked = try signed.write("@revoked \(signed.keyLine)\nci \(signed.keyLine)\n", to: "marked")
        let expectations = [
            (namespaces, "\(namespaces):1: namespace 'tarmac' not allowed by namespaces=\"file\""),
            (expired, "\(expired):2: key expired on 2020-01-01 00:00:00 UTC"),
            (marked, "\(marked):1: key SHA256:"),
        ]
        for (file, phrase) in expectations {
            let result = try signed.inspect("--trust-key", file)
            #expect(result.status == 2, "\(file)")
            #expect(result.stderr.contains("signature   INVALID: "), "\(result.stderr)")
            #expect(result.stderr.contains(phrase), "\(result.stderr)")
        }
    }

    @Test func revokedFileRefusesTheKeyInInspectAndApply() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let trust = try signed.write("ci \(signed.keyLine)\n", to: "allowed")
        let revoked = try signed.write("# compromised\n\(signed.keyLine) lost laptop\n", to: "revoked")
        let inspect = try signed.inspect("--trust-key", trust, "--revoked", revoked)
        #expect(inspect.status == 2)
        #expect(inspect.stderr.contains("\(revoked):2: key SHA256:") && inspect.stderr.contains(" is revoked"))
        let unsignedCheck = try signed.inspect("--revoked", revoked)
        #expect(unsignedCheck.status == 2, "a revoked signer is refused even without --trust-key")
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let apply = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --trust-key \"$T\" --revoked \"$R\"",
            environment: ["B": signed.dir + "/b.tar.zst", "T": trust, "R": revoked])
        #expect(apply.status == 2)
        #expect(apply.stderr.contains(" is revoked"), "\(apply.stderr)")
        #expect(apply.stderr.contains("nothing was changed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.deploymentRoot).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.optDirectory).isEmpty)
    }

    @Test func unusableTrustFilesAreUsageErrors() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let ca = try signed.write("*@example.com cert-authority \(signed.keyLine)\n", to: "ca")
        let badOption = try signed.write("ci valid-before=2020 \(signed.keyLine)\n", to: "bad")
        let krl = try signed.write("SSHKRL\n\0rest", to: "krl")
        let cases: [([String], String)] = [
            (
                ["--trust-key", ca],
                "\(ca):1: cert-authority lines trust SSH certificates, which tarmac does not support"
            ),
            (
                ["--trust-key", badOption],
                "\(badOption):1: bad options: the value of valid-before= must be in double quotes"
            ),
            (
                ["--trust-key", ca.replacingOccurrences(of: "/ca", with: "/k.pub"), "--revoked", krl],
                "the KRL \(krl) has format version"
            ),
            (["--signer-identity", "ci"], "--signer-identity needs --trust-key"),
        ]
        for (arguments, phrase) in cases {
            let result = try runCommand(
                TestPaths.tarmac, ["inspect", signed.dir + "/b.tar.zst"] + arguments, in: signed.repo.root)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(phrase), "\(result.stderr)")
        }
    }
}
