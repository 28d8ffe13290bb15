import Foundation
import TarmacTestSupport
import Testing

/// Anti-rollback and expiry of signed bundles (issue 15): `apply --trust-key` in a private
/// mount namespace, as root, with real ssh-keygen keys.
@Suite("anti-rollback and expiry", .serialized, PrivateMounts.trait)
struct AntiRollbackTests {
    /// Two signed revisions of one app (committed 2026-01-01 and 2026-01-02) and a trust file.
    struct Releases {
        let repo: GitFixture
        let dir: String
        let first: (commit: String, bundle: String)
        let second: (commit: String, bundle: String)
        var trust: String { dir + "/allowed" }

        init(expires: String? = nil) throws {
            repo = try ApplyTests.hookedApp(revision: 1)
            dir = repo.root + "/.git/releases"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir + "/k"], check: true)
            let key = try String(contentsOfFile: dir + "/k.pub", encoding: .utf8)
            try "ci@example.com \(key)".write(toFile: dir + "/allowed", atomically: true, encoding: .utf8)
            let firstCommit = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
            first = (firstCommit, try Self.sign(repo, dir + "/r1.tar.gz", key: dir + "/k", expires: expires))
            try ApplyTests.writeRevision(repo, 2)
            let secondCommit = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
            second = (secondCommit, try Self.sign(repo, dir + "/r2.tar.gz", key: dir + "/k", expires: expires))
        }

        static func sign(_ repo: GitFixture, _ output: String, key: String, expires: String?) throws -> String {
            var arguments = ["bundle", "-o", output, "--sign", key]
            if let expires { arguments += ["--expires", expires] }
            let result = try runCommand(TestPaths.tarmac, arguments, in: repo.root)
            #expect(result.status == 0, "\(result.stderr)")
            return output
        }

        func apply(_ mounts: PrivateMounts, _ bundle: String, _ extra: String = "") throws -> CommandResult {
            try mounts.run(
                "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --deployment-group web --trust-key \"$T\" \(extra)",
                environment: ["B": bundle, "T": trust])
        }

        func remove() { repo.remove() }
    }

    static func mark(_ mounts: PrivateMounts) throws -> String {
        let directory = mounts.deploymentRoot + "/deployment-instructions"
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix("_high_water_mark") })
        return directory + "/" + name
    }

    @Test func replayedOlderSignedBundleIsRefusedAndDowngradeIsRecorded() throws {
        let releases = try Releases()
        defer { releases.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let newer = try releases.apply(mounts, releases.second.bundle)
        #expect(newer.status == 0, "\(newer.stderr)")
        let markPath = try Self.mark(mounts)
        let mark = try String(contentsOfFile: markPath, encoding: .utf8)
        #expect(mark.contains(releases.second.commit))
        let info = try FileManager.default.attributesOfItem(atPath: markPath)
        #expect((info[.ownerAccountID] as? Int) == 0 && (info[.posixPermissions] as? Int) == 0o600)
        let deployments = try FileManager.default.contentsOfDirectory(atPath: mounts.deploymentRoot).sorted()

        let replay = try releases.apply(mounts, releases.first.bundle)
        #expect(replay.status == 2, "\(replay.stderr)")
        #expect(replay.stderr.contains("refusing a rollback"), "\(replay.stderr)")
        #expect(replay.stderr.contains(releases.first.commit) && replay.stderr.contains(releases.second.commit))
        #expect(replay.stderr.contains("nothing was changed"))
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 2\n")
        #expect(try String(contentsOfFile: markPath, encoding: .utf8) == mark)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.deploymentRoot).sorted() == deployments)

        let downgrade = try releases.apply(mounts, releases.first.bundle, "--allow-downgrade --json")
        #expect(downgrade.status == 0, "\(downgrade.stderr)")
        #expect(downgrade.stderr.contains("warning: downgrade"), "\(downgrade.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(downgrade.stdout.utf8)) as? [String: Any]
        #expect(json?["downgrade_from"] as? String == releases.second.commit)
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 1\n")
        #expect(try String(contentsOfFile: markPath, encoding: .utf8) == mark, "the mark stays at the newest")
        // The host's receipt of that deployment records the downgrade and what it replaced.
        let id = try #require(json?["id"] as? String)
        let receiptData = try Data(contentsOf: URL(fileURLWithPath: mounts.deploymentRoot + "/receipts/\(id).json"))
        let receipt = try JSONSerialization.jsonObject(with: receiptData) as? [String: Any]
        #expect(receipt?["downgrade"] as? Bool == true)
        #expect(receipt?["downgrade_from"] as? String == releases.second.commit)
        #expect(receipt?["previous_revision"] as? String == releases.second.commit)
        #expect(receipt?["revision"] as? String == releases.first.commit)
    }

    @Test func aHighWaterMarkAnotherUserCouldHavePlantedIsRefused() throws {
        let releases = try Releases()
        defer { releases.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let first = try releases.apply(mounts, releases.first.bundle)
        #expect(first.status == 0, "\(first.stderr)")
        let markPath = try Self.mark(mounts)
        // A local user who owns the mark could lower it and replay an old release.
        #expect(chown(markPath, 65534, 65534) == 0)
        let refused = try releases.apply(mounts, releases.second.bundle)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("is not owned by root or the deployment user"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 1\n")
    }

    @Test func expiringSignatureIsAStatementBesideTheBundleThatSSHKeygenVerifies() throws {
        let releases = try Releases(expires: "30d")
        defer { releases.remove() }
        let bundle = releases.second.bundle
        #expect(!FileManager.default.fileExists(atPath: bundle + ".sig"), "no signature without the expiry")
        let statement = try String(contentsOfFile: bundle + ".statement", encoding: .utf8)
        #expect(statement.hasPrefix("tarmac-statement 1\nbundle-sha256 "))
        #expect(statement.contains("commit \(releases.second.commit)\n"))
        let verified = try runCommand(
            "sh",
            [
                "-c",
                "ssh-keygen -Y verify -f \"$1\" -I ci@example.com -n tarmac -s \"$2.statement.sig\" < \"$2.statement\"",
                "sh", releases.trust, bundle,
            ])
        #expect(verified.status == 0, "\(verified.stderr)")
        let inspect = try runCommand(
            TestPaths.tarmac, ["inspect", bundle, "--trust-key", releases.trust], in: releases.repo.root)
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stderr.contains("statement   signed "), "\(inspect.stderr)")
        // The bundle's bytes do not depend on the signature: the same commit bundles the same.
        let again = try runCommand(
            TestPaths.tarmac, ["bundle", "-o", releases.dir + "/again.tar.gz"], in: releases.repo.root)
        #expect(again.status == 0)
        #expect(FileManager.default.contentsEqual(atPath: bundle, andPath: releases.dir + "/again.tar.gz"))
    }

    @Test func expiredOrTamperedStatementIsRefused() throws {
        let releases = try Releases(expires: "30d")
        defer { releases.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let bundle = releases.second.bundle
        let statement = try String(contentsOfFile: bundle + ".statement", encoding: .utf8)
        // Signed by the right key with ssh-keygen itself, but expired in 2020.
        let expired =
            statement.split(separator: "\n").map {
                $0.hasPrefix("expires ") ? "expires 2020-01-01T00:00:00Z" : String($0)
            }.joined(separator: "\n") + "\n"
        try expired.write(toFile: bundle + ".statement", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: bundle + ".statement.sig")
        try runCommand(
            "ssh-keygen", ["-q", "-Y", "sign", "-f", releases.dir + "/k", "-n", "tarmac", bundle + ".statement"],
            check: true)
        let refused = try releases.apply(mounts, bundle)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("the bundle expired at 2020-01-01T00:00:00Z"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was changed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.optDirectory).isEmpty)

        // The original statement, changed after signing (a later expiry), no longer verifies.
        let tampered = statement.replacingOccurrences(of: "expires 20", with: "expires 21")
        try tampered.write(toFile: bundle + ".statement", atomically: true, encoding: .utf8)
        let inspect = try runCommand(
            TestPaths.tarmac, ["inspect", bundle, "--trust-key", releases.trust], in: releases.repo.root)
        #expect(inspect.status == 2)
        #expect(inspect.stderr.contains("signature   INVALID: "), "\(inspect.stderr)")
    }

    @Test func expiresNeedsSignAndAPeriod() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        for (arguments, phrase) in [
            (["bundle", "--expires", "30d"], "--expires needs --sign"),
            (["bundle", "--sign", "/nonexistent", "--expires", "soon"], "--expires 'soon' is not a period"),
        ] {
            let result = try runCommand(TestPaths.tarmac, arguments, in: repo.root)
            #expect(result.status == 2)
            #expect(result.stderr.contains(phrase), "\(result.stderr)")
        }
    }
}
