import Foundation
import TarmacTestSupport
import Testing

/// `tarmac apply` against a host that fights back (issue 11): what the report says after an
/// Install that failed half way, and links a local user planted in a destination they own.
@Suite("tarmac apply: hostile hosts", .serialized, PrivateMounts.trait)
struct HostileInstallApplyTests {
    static func app(_ repo: GitFixture, revision: Int) throws {
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: app
                destination: /opt/app

            """)
        try repo.write("app/index.html", "revision \(revision)\n")
        if revision == 1 {
            try repo.write("app/old.html", "only in revision 1\n")
        } else {
            try? FileManager.default.removeItem(atPath: repo.root + "/app/old.html")
            try repo.write("app/locked/file.txt", "in a directory the host cannot write\n")
            try repo.write("app/new.html", "new in revision 2\n")
        }
        try repo.commitAll("revision \(revision)", date: "2026-01-0\(revision)T00:00:00Z")
    }

    @Test func aHalfDoneInstallIsReportedAsTheMixItLeft() throws {
        let repo = try GitFixture.empty("hostile-apply")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        try Self.app(repo, revision: 1)
        let first = try ApplyTests.bundlePath(repo, "\(UUID().uuidString)-r1.tar.gz")
        try Self.app(repo, revision: 2)
        let second = try ApplyTests.bundlePath(repo, "\(UUID().uuidString)-r2.tar.gz")
        let one = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["B": first])
        #expect(one.status == 0, "\(one.stderr)")

        // /opt/app/locked exists on the host, read-only: Install fails when it gets there.
        let locked = """
            mkdir -p /opt/app/locked && mount --bind /opt/app/locked /opt/app/locked &&
            mount -o remount,bind,ro /opt/app/locked &&
            "$TARMAC" apply "$B" --deployment-root "$ROOT" --deployment-group web
            """
        let two = try mounts.run(locked, environment: ["B": second])
        #expect(two.status != 0)
        #expect(two.stderr.contains("failed in Install"), "\(two.stderr)")
        #expect(!two.stderr.contains("Install did not run"), "\(two.stderr)")
        #expect(two.stderr.contains("this host has a mix of revisions"), "\(two.stderr)")
        #expect(two.stderr.contains("cleaned up 3 of the earlier revision's 3 paths"), "\(two.stderr)")
        #expect(two.stderr.contains("placed 2 of the new revision's 3 files"), "\(two.stderr)")
        #expect(two.stderr.contains("placed: \"/opt/app/index.html\", \"/opt/app/new.html\""), "\(two.stderr)")
        #expect(two.stderr.contains("not placed: \"/opt/app/locked/file.txt\""), "\(two.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 2\n")
        #expect(!FileManager.default.fileExists(atPath: mounts.optDirectory + "/app/old.html"))

        let json = try mounts.run(locked + " --json", environment: ["B": second])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let host = try #require((object["hosts"] as? [[String: Any]])?.first)
        #expect(host["installed"] as? Bool == false)
        #expect((host["message"] as? String)?.contains("has a mix of revisions") == true, "\(host)")
    }

    @Test func aLinkPlantedInADestinationTheUserOwnsIsReplacedNotFollowed() throws {
        let repo = try GitFixture.empty("hostile-link")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        try Self.app(repo, revision: 1)
        let bundle = try ApplyTests.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        // The destination belongs to uid 4242, who planted links at a file's name.
        let script = """
            mkdir -p /opt/app /opt/outside && echo sentinel > /opt/outside/sentinel &&
            chown 4242:4242 /opt/app &&
            setpriv --reuid=4242 --regid=4242 --clear-groups -- ln -s /opt/outside/sentinel /opt/app/index.html &&
            "$TARMAC" apply "$B" --deployment-root "$ROOT" --file-exists-behavior OVERWRITE
            """
        let run = try mounts.run(script, environment: ["B": bundle])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/outside/sentinel", encoding: .utf8) == "sentinel\n")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 1\n")
        let kind = try FileManager.default.attributesOfItem(atPath: mounts.optDirectory + "/app/index.html")[.type]
        #expect(kind as? FileAttributeType == .typeRegular)
    }

    /// Issue 11 item 3 as reported: links planted after the probe, while the revision is
    /// unpacked and installed, at the names of files about to be copied into a directory the
    /// user owns. Before the fix, root wrote the revision's files through them.
    @Test func linksPlantedDuringApplyAreNeverWrittenThrough() throws {
        let repo = try GitFixture.empty("hostile-race")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        // BeforeInstall (after the probe and the plan, before Install) starts the attack.
        try repo.write(
            "appspec.yml",
            "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/www\n"
                + "hooks:\n  BeforeInstall:\n    - location: go.sh\n")
        try repo.write("go.sh", "#!/bin/sh\ntouch /opt/evil/go\n", executable: true)
        let names = (0..<400).map { "f\($0).txt" }
        for name in names { try repo.write("app/" + name, "from the revision\n") }
        try repo.commitAll("many files")
        let bundle = try ApplyTests.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        // uid 4242 owns /opt/www; once BeforeInstall said go (the plan is made by then), it
        // plants a link at every name, again and again, until apply ends. It cannot watch the
        // deployment root for that: only root can look inside it.
        // In a subshell: PrivateMounts copies /opt back after the script, so it must not exit.
        let script = """
            (
            mkdir -p /opt/www /opt/outside /opt/evil && echo sentinel > /opt/outside/sentinel &&
            chown 4242:4242 /opt/www /opt/evil &&
            for n in \(names.joined(separator: " ")); do ln -s /opt/outside/sentinel "/opt/evil/$n"; done &&
            chown -h 4242:4242 /opt/evil/* || exit 99
            setpriv --reuid=4242 --regid=4242 --clear-groups -- sh -c '
              until [ -e /opt/evil/go ] || [ -e /opt/evil/stop ]; do :; done
              while [ ! -e /opt/evil/stop ]; do cp -Pf /opt/evil/f* /opt/www/ 2>/dev/null; echo x >> /opt/evil/passes; done
            ' attacker &
            attacker=$!
            "$TARMAC" apply "$B" --deployment-root "$ROOT"
            status=$?
            : > /opt/evil/stop; wait $attacker
            exit $status
            )
            """
        let run = try mounts.run(script, environment: ["B": bundle])
        #expect(run.status != 99, "\(run.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/outside/sentinel", encoding: .utf8) == "sentinel\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.optDirectory + "/outside") == ["sentinel"])
        let passes = (try? String(contentsOfFile: mounts.optDirectory + "/evil/passes", encoding: .utf8)) ?? ""
        #expect(!passes.isEmpty, "the attacker ran while apply did")
        if run.status != 0 {
            #expect(run.stderr.contains("symlink") || run.stderr.contains("replaced"), "\(run.stderr)")
        }
    }
}
