import Foundation
import TarmacTestSupport
import Testing

/// `tarmac apply` end to end: which revision's ApplicationStop runs after a failure, and a
/// tampered signed bundle.
@Suite("tarmac apply: last successful revision, signed bundles", .serialized, PrivateMounts.trait)
struct ApplyLifecycleTests {
    /// Writes and commits revision `revision`: every hook appends `<event> rev=<n>` to
    /// /opt/events.log; the hook of `failing` exits 3.
    static func commit(_ repo: GitFixture, _ revision: Int, failing: String? = nil) throws {
        var appspec = "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/app\nhooks:\n"
        for event in ["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"] {
            appspec += "  \(event):\n    - location: hook.sh\n"
        }
        try repo.write("appspec.yml", appspec)
        try repo.write(
            "hook.sh",
            """
            #!/bin/sh
            echo "$LIFECYCLE_EVENT rev=\(revision)" >> /opt/events.log
            [ "$LIFECYCLE_EVENT" = "\(failing ?? "none")" ] && exit 3
            exit 0

            """, executable: true)
        try repo.write("app/index.html", "revision \(revision)\n")
        try repo.commitAll("revision \(revision)", date: "2026-01-0\(revision)T00:00:00Z")
    }

    /// Spec §2.2: ApplicationStop runs the scripts of the last revision whose Install succeeded on
    /// this host for this group — not those of a revision that failed before its Install, and
    /// those of one that failed after it.
    @Test func applicationStopRunsTheLastSuccessfullyInstalledRevisionsScripts() throws {
        let repo = try GitFixture.empty("apply-stop-chain")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        var bundles: [String] = []
        let failures: [String?] = [nil, "BeforeInstall", "ValidateService", nil]
        for (index, failing) in failures.enumerated() {
            try Self.commit(repo, index + 1, failing: failing)
            bundles.append(try ApplyTests.bundlePath(repo, "\(UUID().uuidString)-r\(index + 1).tar.gz"))
        }
        let result = try mounts.run(
            """
            for b in "$B1" "$B2" "$B3" "$B4"; do
                echo "-- apply $b" >> /opt/events.log
                "$TARMAC" apply "$b" --deployment-root "$ROOT" --deployment-group web >/dev/null 2>&1
                echo "status=$?" >> /opt/events.log
            done
            """, environment: ["B1": bundles[0], "B2": bundles[1], "B3": bundles[2], "B4": bundles[3]])
        #expect(result.status == 0, "\(result.stderr)")
        let log = try String(contentsOfFile: mounts.optDirectory + "/events.log", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("-- apply") }.map(String.init)
        #expect(
            log == [
                "BeforeInstall rev=1", "AfterInstall rev=1", "ApplicationStart rev=1", "ValidateService rev=1",
                "status=0",
                // Revision 2 fails before its Install: revision 1 stays the last successful one.
                "ApplicationStop rev=1", "BeforeInstall rev=2", "status=1",
                "ApplicationStop rev=1", "BeforeInstall rev=3", "AfterInstall rev=3", "ApplicationStart rev=3",
                "ValidateService rev=3", "status=1",
                // Revision 3 installed, then failed: its own scripts stop it.
                "ApplicationStop rev=3", "BeforeInstall rev=4", "AfterInstall rev=4", "ApplicationStart rev=4",
                "ValidateService rev=4", "status=0",
            ], "\(log)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 4\n")
    }

    /// A signed bundle changed after signing is refused by `apply --trust-key` and changes
    /// nothing; the untouched bundle then applies with the same key.
    @Test func aTamperedSignedBundleIsRefusedAndChangesNothing() throws {
        let repo = try GitFixture.empty("apply-signed")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        try Self.commit(repo, 1)
        let key = mounts.root + "/key"
        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], check: true)
        let bundle = repo.root + "/.git/signed.tar"
        let signed = try repo.tarmac("bundle", "--format", "tar", "--sign", key, "-o", bundle)
        #expect(signed.status == 0, "\(signed.stderr)")
        let original = try Data(contentsOf: URL(fileURLWithPath: bundle))
        var bytes = original
        let range = try #require(bytes.range(of: Data("revision 1\n".utf8)))
        bytes.replaceSubrange(range, with: Data("revision 6\n".utf8))
        try bytes.write(to: URL(fileURLWithPath: bundle))

        let apply = "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --trust-key \"$KEY\""
        let environment = ["B": bundle, "KEY": key + ".pub"]
        let refused = try mounts.run(apply, environment: environment)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("signature"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was changed"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.deploymentRoot).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.optDirectory).isEmpty)

        try original.write(to: URL(fileURLWithPath: bundle))
        let applied = try mounts.run(apply, environment: environment)
        #expect(applied.status == 0, "the same bundle untouched applies: \(applied.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 1\n")
    }
}
