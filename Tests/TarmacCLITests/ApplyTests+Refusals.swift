import Foundation
import TarmacTestSupport
import Testing

extension ApplyTests {
    @Test func interruptFinishesTheEventInFlightThenStops() throws {
        let repo = try GitFixture.empty("interrupt")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            hooks:
              BeforeInstall:
                - location: slow.sh
              AfterInstall:
                - location: after.sh

            """)
        // The hook holds until the test releases it (180 s at most): Ctrl-C lands while it runs.
        try repo.write(
            "slow.sh",
            """
            #!/bin/sh
            touch /opt/slow-started
            n=0
            while [ ! -e /opt/slow-release ] && [ "$n" -lt 1800 ]; do sleep 0.1; n=$((n + 1)); done
            echo done > /opt/slow-finished

            """, executable: true)
        try repo.write("after.sh", "#!/bin/sh\necho ran > /opt/after-ran\n", executable: true)
        try repo.commitAll("slow hook")
        let bundle = try Self.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        let result = try mounts.run(
            shellWaitFunctions + """
                "$TARMAC" apply "$B" --deployment-root "$ROOT" --json > /opt/result.json 2> /opt/stderr &
                pid=$!
                wait_for 60 "the hook to start" test -e /opt/slow-started || { kill -KILL "$pid"; exit 97; }
                kill -INT "$pid"
                wait_for 30 "tarmac to take the Ctrl-C" grep -q "interrupted: finishing the event" /opt/stderr \
                    || { kill -KILL "$pid"; exit 96; }
                touch /opt/slow-release
                wait "$pid"
                echo "status=$?" > /opt/status
                "$TARMAC" apply "$B" --deployment-root "$ROOT" >/dev/null 2>&1 && echo again-ok > /opt/again
                """, environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        let opt = mounts.optDirectory
        #expect(try String(contentsOfFile: opt + "/status", encoding: .utf8) == "status=130\n")
        #expect(FileManager.default.fileExists(atPath: opt + "/slow-finished"), "the event in flight finished")
        #expect(try String(contentsOfFile: opt + "/again", encoding: .utf8) == "again-ok\n", "the lock was released")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: opt + "/result.json")))
                as? [String: Any])
        #expect(json["status"] as? String == "Stopped")
        let events = try #require((json["hosts"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])
        #expect(events.first { $0["name"] as? String == "BeforeInstall" }?["status"] as? String == "Succeeded")
        #expect(events.first { $0["name"] as? String == "AfterInstall" }?["status"] as? String == "Skipped")
    }

    @Test func unsignedBundleWithTrustKeyChangesNothing() throws {
        let repo = try Self.hookedApp(revision: 1)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let bundle = try Self.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", mounts.root + "/key"], check: true)
        let result = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --trust-key \"$KEY\"",
            environment: ["B": bundle, "KEY": mounts.root + "/key.pub"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("signature"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.optDirectory).isEmpty)
    }

    @Test func hostileOrUnsignedBundlesChangeNothing() throws {
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let script = """
            import io, tarfile, sys
            with tarfile.open(sys.argv[1], "w:gz") as t:
                for name, data in [("appspec.yml", b"version: 0.0\\nos: linux\\nfiles:\\n  - source: /\\n    destination: /opt/evil\\n"), ("../escape.txt", b"x")]:
                    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
            """
        let bundle = mounts.root + "/hostile.tar.gz"
        try runCommand("python3", ["-c", script, bundle], check: true)
        let result = try mounts.run("\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\"", environment: ["B": bundle])
        #expect(result.status == 2)
        #expect(result.stderr.contains("climbs out"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.deploymentRoot).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.optDirectory).isEmpty)
    }
}
