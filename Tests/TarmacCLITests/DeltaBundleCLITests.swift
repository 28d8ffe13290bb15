import Foundation
import TarmacTestSupport
import Testing

/// `tarmac bundle --base`, `tarmac inspect` of a delta and `tarmac apply`'s base check, with
/// real git repositories made at test time and real ssh-keygen keys.
@Suite("delta bundles on the command line", .serialized)
struct DeltaBundleCLITests {
    static func commit(_ repo: GitFixture, _ revision: String = "HEAD") throws -> String {
        try repo.git("rev-parse", revision).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func bundleBaseWritesASignedDeltaThatInspectDescribes() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let first = try Self.commit(repo)
        try ApplyTests.writeRevision(repo, 2)
        let dir = repo.root + "/.git/keys"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir + "/k"], check: true)
        let key = try String(contentsOfFile: dir + "/k.pub", encoding: .utf8)
        try "ci@example.com \(key)".write(toFile: dir + "/allowed", atomically: true, encoding: .utf8)
        let output = repo.root + "/.git/delta.tar.zst"

        let built = try repo.tarmac(
            "bundle", "--base", "HEAD~1", "--format", "tar.zst", "-o", output, "--sign", dir + "/k")
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.stdout.split(separator: "\n").last.map(String.init) == output)
        #expect(built.stderr.contains("carries 3 of 4 files"), "\(built.stderr)")
        #expect(built.stderr.contains("needs revision \(first) installed"))
        #expect(FileManager.default.fileExists(atPath: output + ".sig"))

        let text = try repo.tarmac("inspect", output, "--trust-key", dir + "/allowed")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stderr.contains("delta       from \(first): needs revision \(first) (manifest sha256 "))
        #expect(text.stderr.contains("installed on the host; carries 3 of 4 files, "))
        #expect(text.stderr.contains("signature   valid, by"))
        #expect(text.stderr.contains("appspec     appspec.yml (unchanged since the base: not in this delta)"))

        let json = try repo.tarmac("inspect", output, "--json")
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let delta = try #require(object["delta"] as? [String: Any])
        #expect(delta["base_revision"] as? String == first)
        #expect(delta["files_carried"] as? Int == 3)
        #expect(delta["files_reused"] as? Int == 1)
        #expect(delta["files"] as? Int == 4)
        #expect(object["verified"] as? Bool == true)
        let sha = try #require(delta["base_manifest_sha256"] as? String)
        // Both manifests are kept in the cache; the base's digest names its file.
        #expect(FileManager.default.fileExists(atPath: repo.root + "/.tarmac/manifests/\(sha).json"))
        let full = try repo.tarmac(
            "inspect",
            repo.root + "/.tarmac/artifacts/" + (object["application"] as? String ?? "") + "/"
                + (object["revision"] as? String ?? "") + ".tar.zst", "--json")
        #expect(full.status == 0, "\(full.stderr)")
        #expect(!full.stdout.contains("\"delta\""))
    }

    @Test func aDeltaFromTheTargetItselfIsEmptyAndAnUnknownBaseExits2() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let same = try repo.tarmac("bundle", "--base", "HEAD", "-o", repo.root + "/.git/same.tar")
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stderr.contains("carries 0 of 4 files"), "\(same.stderr)")

        let unknown = try repo.tarmac("bundle", "--base", "no-such-rev", "-o", repo.root + "/.git/x.tar")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--base no-such-rev does not name a commit"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.git/x.tar"))
    }

    @Test func bundleKeepsItsManifestInTheCache() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let result = try repo.tarmac("bundle", "-o", repo.root + "/.git/b.tar.gz")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try repo.tarmac("inspect", repo.root + "/.git/b.tar.gz", "--json")
        let names = try FileManager.default.contentsOfDirectory(atPath: repo.root + "/.tarmac/manifests")
        // Never committed: .tarmac/ ignores itself.
        #expect(try repo.git("status", "--porcelain").isEmpty)
        #expect(names.count == 1)
        let cached = try #require(FileManager.default.contents(atPath: repo.root + "/.tarmac/manifests/" + names[0]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(String(decoding: cached, as: UTF8.self).contains(object["commit"] as? String ?? "?"))
    }
}

/// `tarmac apply` of a delta: the host's base is checked before anything changes.
@Suite("tarmac apply of a delta bundle", .serialized, PrivateMounts.trait)
struct DeltaApplyTests {
    /// Every path under `directory` with its mode, size and mtime.
    static func snapshot(_ directory: String) throws -> String {
        try runCommand(
            "sh", ["-c", "cd \"$1\" && find . -mindepth 1 -printf '%p %m %s %T@\\n' | sort", "sh", directory],
            check: true
        )
        .stdout
    }

    /// The deployment root and /opt of the namespace, as they stand.
    static func snapshot(_ mounts: PrivateMounts) throws -> String {
        try snapshot(mounts.deploymentRoot) + "--\n" + snapshot(mounts.optDirectory)
    }

    static func delta(_ repo: GitFixture, base: String, _ name: String) throws -> String {
        let output = repo.root + "/.git/" + name
        let result = try repo.tarmac("bundle", "--base", base, "-o", output)
        #expect(result.status == 0, "\(result.stderr)")
        return output
    }

    @Test func aDeltaOnAHostWithNoRevisionExits2AndChangesNothing() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let first = try DeltaBundleCLITests.commit(repo)
        try ApplyTests.writeRevision(repo, 2)
        let delta = try Self.delta(repo, base: first, "d.tar.gz")
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let before = try Self.snapshot(mounts)

        let result = try mounts.run(
            "\"$TARMAC\" apply \"$D\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["D": delta])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("this delta needs revision \(first) installed; this host has no revision"),
            "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        let after = try Self.snapshot(mounts)
        #expect(after == before, "before:\n\(before)after:\n\(after)")
    }

    @Test func aDeltaFromAnotherRevisionExits2NamingBothAndChangesNothing() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let first = try DeltaBundleCLITests.commit(repo)
        let full = try ApplyTests.bundlePath(repo, "r1.tar.gz")
        try ApplyTests.writeRevision(repo, 2)
        let second = try DeltaBundleCLITests.commit(repo)
        try ApplyTests.writeRevision(repo, 3)
        let delta = try Self.delta(repo, base: second, "d23.tar.zst")
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let installed = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["B": full])
        #expect(installed.status == 0, "\(installed.stderr)")
        let before = try Self.snapshot(mounts)

        let result = try mounts.run(
            "\"$TARMAC\" apply \"$D\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["D": delta])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("this delta needs revision \(second) installed; this host has \(first)"),
            "\(result.stderr)")
        let after = try Self.snapshot(mounts)
        #expect(after == before, "before:\n\(before)after:\n\(after)")
    }

    /// The USB route end to end: deltas in a row and one back to an earlier revision, each
    /// applied on the host that has its base, end file by file (and in the cleanup record)
    /// where the full bundle of that revision ends on a fresh host.
    @Test func deltasInARowAndBackEndWhereFullBundlesEnd() throws {
        let repo = try GitFixture.empty("delta-apply")
        defer { repo.remove() }
        var commits: [String] = []
        var full: [String] = []
        for n in 1...3 {
            try ApplyKeepTests.write(repo, n)
            commits.append(try DeltaBundleCLITests.commit(repo))
            full.append(try ApplyTests.bundlePath(repo, "r\(n).tar.gz"))
        }
        let host = try PrivateMounts.make()
        defer { host.remove() }
        try ApplyKeepTests.apply(host, full[0])
        // 1 → 2 → 3 → 2, each a delta from the revision the host has.
        for (step, (from, to)) in [(1, 2), (2, 3), (3, 2)].enumerated() {
            let delta = repo.root + "/.git/d\(from)\(to).tar.gz"
            let made = try repo.tarmac("bundle", "--rev", commits[to - 1], "--base", commits[from - 1], "-o", delta)
            #expect(made.status == 0, "\(made.stderr)")
            let result = try host.run(
                "\"$TARMAC\" apply \"$D\" --deployment-root \"$ROOT\" --deployment-group web",
                environment: ["D": delta])
            #expect(result.status == 0, "step \(step): \(result.stderr)")
            #expect((result.stdout + result.stderr).contains("delta from \(commits[from - 1])"), "step \(step)")
            let fresh = try PrivateMounts.make()
            defer { fresh.remove() }
            try ApplyKeepTests.apply(fresh, full[to - 1])
            #expect(
                try ApplyKeepTests.tree(host.optDirectory + "/app")
                    == ApplyKeepTests.tree(fresh.optDirectory + "/app"), "step \(step)")
            #expect(try ApplyKeepTests.cleanup(host) == ApplyKeepTests.cleanup(fresh), "step \(step)")
        }
    }

    /// A base changed in place since it was installed (its mtime put back): the host has no
    /// full bundle to fall back to, so DownloadBundle fails, nothing is installed, and the
    /// message says to apply the full bundle.
    @Test func aChangedBaseFailsTheDeltaWithNothingInstalled() throws {
        let repo = try GitFixture.empty("delta-apply-changed")
        defer { repo.remove() }
        try ApplyKeepTests.write(repo, 1)
        let first = try DeltaBundleCLITests.commit(repo)
        let full = try ApplyTests.bundlePath(repo, "r1.tar.gz")
        try ApplyKeepTests.write(repo, 2)
        let delta = try Self.delta(repo, base: first, "d12.tar.gz")
        let host = try PrivateMounts.make()
        defer { host.remove() }
        try ApplyKeepTests.apply(host, full)
        let before = try ApplyKeepTests.tree(host.optDirectory + "/app")
        let result = try host.run(
            "d=$(cat \"$ROOT\"/deployment-instructions/*_last_successful_install) && "
                + "f=\"$d/deployment-archive/app/static/logo.txt\" && t=$(stat -c %y \"$f\") && "
                + "echo tampered >> \"$f\" && touch -d \"$t\" \"$f\" && "
                + "\"$TARMAC\" apply \"$D\" --deployment-root \"$ROOT\" --deployment-group web",
            environment: ["D": delta])
        #expect(result.status == 1, "\(result.stderr)")
        let said = result.stdout + result.stderr
        #expect(said.contains("fell back on the host"), "\(said)")
        #expect(said.contains("apply the full bundle of this revision"), "\(said)")
        #expect(try ApplyKeepTests.tree(host.optDirectory + "/app") == before, "nothing was installed")
    }

    /// The base's records are read like every record: one others could write is not trusted.
    @Test func aBaseManifestOthersCanWriteIsRefused() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let first = try DeltaBundleCLITests.commit(repo)
        let full = try ApplyTests.bundlePath(repo, "r1.tar.gz")
        try ApplyTests.writeRevision(repo, 2)
        let delta = try Self.delta(repo, base: first, "d12.tar.gz")
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let installed = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["B": full])
        #expect(installed.status == 0, "\(installed.stderr)")
        try runCommand(
            "sh",
            ["-c", "chmod o+w \"$1\"/*/d-*/deployment-archive/.tarmac/manifest.sha256", "sh", mounts.deploymentRoot],
            check: true)
        let before = try Self.snapshot(mounts)

        let result = try mounts.run(
            "\"$TARMAC\" apply \"$D\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["D": delta])
        #expect(result.status == 2)
        #expect(result.stderr.contains("manifest.sha256"), "\(result.stderr)")
        #expect(result.stderr.contains("writable by other users"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        let after = try Self.snapshot(mounts)
        #expect(after == before, "before:\n\(before)after:\n\(after)")
    }
}
