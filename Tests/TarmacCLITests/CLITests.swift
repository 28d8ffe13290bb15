import Foundation
import TarmacTestSupport
import Testing

/// The built binary, run the way users run it: exit statuses, stdout/stderr split, messages.
@Suite("tarmac command line")
struct CLITests {
    @Test func validateAcceptsTheSampleApp() throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let result = try repo.tarmac("validate")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tarmac.yml and appspec.yml: valid"))
        #expect(result.stdout.isEmpty)
    }

    @Test func validateReportsEveryProblemWithLineAndColumn() throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: site
                destination: opt/docs-site
            permissions:
              - object: /opt/docs-site
                mode: "0955"
            hooks:
              ApplicationStart:
                - location: scripts/missing.sh
                  timeout: -5

            """)
        try repo.write("tarmac.yml", "application: docs-site\nbundel:\n  root: .\n")
        let result = try repo.tarmac("validate")
        #expect(result.status == 2)
        let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.count >= 5, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("appspec.yml:5:") }, "relative destination")
        #expect(errors.contains { $0.hasPrefix("appspec.yml:8:") }, "bad mode digit")
        #expect(
            errors.contains { $0.hasPrefix("appspec.yml:11:") && $0.contains("scripts/missing.sh") }, "missing script")
        #expect(errors.contains { $0.hasPrefix("appspec.yml:12:") }, "negative timeout")
        #expect(errors.contains { $0.hasPrefix("tarmac.yml:2:1:") && $0.contains("bundel") }, "unknown key")
    }

    @Test func bundlePrintsThePathLastAndInspectVerifiesIt() throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let bundled = try repo.tarmac("bundle")
        #expect(bundled.status == 0, "\(bundled.stderr)")
        let path = try #require(bundled.stdout.split(separator: "\n").last.map(String.init))
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .newlines)
        #expect(path == "\(repo.root)/.tarmac/artifacts/docs-site/\(head).tar.gz")
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(bundled.stderr.contains("bundled docs-site \(head)"))

        let inspected = try repo.tarmac("inspect", path, "--json")
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        #expect(json["application"] as? String == "docs-site")
        #expect(json["commit"] as? String == head)
        #expect(json["revision"] as? String == head)
        #expect(json["format"] as? String == "tar.gz")
        #expect(json["signature"] as? String == "absent")
        #expect((json["sha256"] as? String)?.count == 64)
        let files = try #require(json["files"] as? [[String: Any]])
        let start = try #require(files.first { $0["path"] as? String == "scripts/start.sh" })
        #expect(start["type"] as? String == "file")
        #expect(start["mode"] as? String == "0755")
        #expect((start["sha256"] as? String)?.count == 64)
        #expect(start["size"] as? Int ?? 0 > 0)
    }

    @Test func invalidRevisionExitsTwoAndWritesNothing() throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.write("appspec.yml", "version: 1.0\nos: windows\n")
        try repo.commitAll("broken")
        let result = try repo.tarmac("bundle", "-o", "out.tar.gz")
        #expect(result.status == 2)
        #expect(result.stderr.contains("appspec.yml:1:"))
        #expect(result.stderr.contains("appspec.yml:2:"))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/out.tar.gz"))
    }

    @Test func usageErrorsExitTwo() throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let badFormat = try repo.tarmac("bundle", "--format", "rar")
        #expect(badFormat.status == 2, "\(badFormat.stderr)")
        let both = try repo.tarmac("bundle", "--worktree", "--rev", "HEAD")
        #expect(both.status == 2)
        #expect(both.stderr.contains("--worktree"))
        let unknownRev = try repo.tarmac("bundle", "--rev", "nope")
        #expect(unknownRev.status == 2)
        #expect(unknownRev.stderr.contains("nope does not name a commit"))
        let notRepo = try runCommand(TestPaths.tarmac, ["validate"], in: "/")
        #expect(notRepo.status == 2)
        #expect(notRepo.stderr.contains("not inside a Git working tree"))
    }

    @Test func tamperedBundleExitsTwoNamingTheFile() throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let path = try #require(
            try repo.tarmac("bundle", "--format", "tar").stdout.split(separator: "\n").last.map(String.init))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let range = try #require(bytes.range(of: Data("font-family".utf8)))
        bytes.replaceSubrange(range, with: Data("FONT-family".utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try repo.tarmac("inspect", path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("site/css/style.css: content differs"))
        #expect(result.stderr.contains("must not be installed"))
    }

    @Test func signAndTrustKeyRoundTrip() throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let keys = try TestPaths.temporaryDirectory("cli-keys")
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keys + "/k"], check: true)
        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keys + "/other"], check: true)
        let signed = try repo.tarmac("bundle", "--format", "tar.zst", "--sign", keys + "/k", "-o", keys + "/b.tar.zst")
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(FileManager.default.fileExists(atPath: keys + "/b.tar.zst.sig"))
        let good = try repo.tarmac("inspect", keys + "/b.tar.zst", "--trust-key", keys + "/k.pub")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("(trusted)"))
        let bad = try repo.tarmac("inspect", keys + "/b.tar.zst", "--trust-key", keys + "/other.pub")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("INVALID"))
    }

    @Test func initWritesFilesThatValidateAndNeverOverwrites() throws {
        let repo = try GitFixture.empty("init")
        defer { repo.remove() }
        let first = try repo.tarmac("init")
        #expect(first.status == 0, "\(first.stderr)")
        let validate = try repo.tarmac("validate")
        #expect(validate.status == 0, "the skeletons validate as written: \(validate.stderr)")
        try repo.write("appspec.yml", "version: 0.0\nos: linux\n")
        try FileManager.default.removeItem(atPath: repo.root + "/tarmac.yml")
        let again = try repo.tarmac("init")
        #expect(again.status == 2)
        #expect(again.stderr.contains("appspec.yml exists"))
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/tarmac.yml"), "nothing was written")
        #expect(try String(contentsOfFile: repo.root + "/appspec.yml", encoding: .utf8) == "version: 0.0\nos: linux\n")
    }

    @Test(arguments: [
        ["--help"], ["bundle", "--help"], ["validate", "--help"], ["inspect", "--help"], ["apply", "--help"],
        ["history", "--help"], ["show", "--help"], ["logs", "--help"], ["deploy", "--help"], ["plan", "--help"],
        ["rollback", "--help"], ["init", "--help"], ["hosts", "--help"], ["hosts", "check", "--help"],
        ["hosts", "trust", "--help"], ["hosts", "unlock", "--help"], ["hook", "--help"], ["hook", "install", "--help"],
        ["hook", "uninstall", "--help"], ["run", "--help"], ["approve", "--help"], ["reject", "--help"],
        ["receipts", "--help"], ["receipts", "import", "--help"], ["verify", "--help"],
    ])
    func helpTextIsGolden(args: [String]) throws {
        let result = try runCommand(TestPaths.tarmac, args, environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        let name = (args.count > 1 ? args.dropLast().joined(separator: "-") : "tarmac") + ".txt"
        try Golden.check(result.stdout, "help/" + name)
    }
}
