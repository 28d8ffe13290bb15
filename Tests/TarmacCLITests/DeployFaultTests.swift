import Foundation
import TarmacTestSupport
import Testing

/// Faults on real hosts: keys, sshd, disk, timeouts, links, Ctrl-C, concurrency, rollback.
@Suite("tarmac deploy faults", .serialized, Fleet.trait())
struct DeployFaultTests {
    typealias Project = DeployTests.Project

    /// Runs `script` with `sh -c` in the repository, `$TARMAC` and `$FLEET` set.
    static func shell(_ project: Project, _ script: String) throws -> CommandResult {
        try runCommand(
            "/bin/sh", ["-c", script], in: project.repo.root,
            environment: ["TARMAC": TestPaths.tarmac, "FLEET": project.fleet.directory, "FLEET_SH": Fleet.script])
    }

    /// `tarmac show ID --json` of the newest deployment.
    static func newest(_ project: Project) throws -> [String: Any] { try newest(project.repo) }

    /// `tarmac show ID --json` of the newest deployment of the project in `repo`.
    static func newest(_ repo: GitFixture) throws -> [String: Any] {
        let history = try repo.tarmac("history", "--json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        let id = try #require(list.first?["id"] as? String)
        let show = try repo.tarmac("show", id, "--json")
        return try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    }

    static func hostStatuses(_ shown: [String: Any]) -> [String: String] {
        let hosts = shown["hosts"] as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: hosts.map { ($0["name"] as? String ?? "", $0["status"] as? String ?? "") })
    }

    @Test func unknownAndChangedHostKeysFailOnlyThoseHostsAndTrustAddsOnlyTheUnknown() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        let (one, two, three) = (fleet.hosts[0], fleet.hosts[1], fleet.hosts[2])
        let lines = try String(contentsOfFile: fleet.knownHostsPath, encoding: .utf8).split(separator: "\n")
        var rewritten = lines.filter { !$0.hasPrefix(two.address + " ") && !$0.hasPrefix(three.address + " ") }
            .map(String.init)
        rewritten += lines.filter { $0.hasPrefix(one.address + " ") }.map {
            three.address + $0.dropFirst(one.address.count)
        }
        try (rewritten.joined(separator: "\n") + "\n").write(
            toFile: fleet.knownHostsPath, atomically: true, encoding: .utf8)
        try project.commit()
        let result = try project.deploy()
        #expect(result.status == 0, "AllAtOnce succeeds with one host: \(result.stderr)")
        #expect(project.installed(one) == "revision 1\n")
        for host in [two, three] {
            #expect(project.installed(host) == nil, "\(host)")
            #expect(
                !FileManager.default.fileExists(atPath: fleet.root(of: host) + "/var/lib/tarmac"), "\(host) untouched")
        }
        #expect(result.stderr.contains("SHA256:"), "the unknown key's fingerprint is shown")
        #expect(result.stderr.contains("tarmac hosts trust"), "and how to trust it")
        let trust = try project.repo.tarmac("hosts", "trust", "fleet")
        #expect(trust.status == 1, "a changed key is never replaced: \(trust.stderr)")
        #expect(trust.stderr.contains("host2") && trust.stderr.contains("added"))
        #expect(trust.stderr.contains("not changed"))
        let again = try project.deploy()
        #expect(project.installed(two) == "revision 1\n", "host2 is trusted now: \(again.stderr)")
        #expect(project.installed(three) == nil)
    }

    @Test func aStoppedSSHDFailsItsHostAndTheOthersGoOn() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try fleet.stopSSHD(fleet.hosts[1])
        try project.commit()
        let result = try project.deploy()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            project.installed(fleet.hosts[0]) == "revision 1\n" && project.installed(fleet.hosts[2]) == "revision 1\n")
        #expect(project.installed(fleet.hosts[1]) == nil)
        let shown = try Self.newest(project)
        #expect(Self.hostStatuses(shown) == ["host1": "Succeeded", "host2": "Failed", "host3": "Succeeded"])
    }

    @Test func aFullDiskFailsDownloadBundleCleanlyAndKeepsTheOldRevision() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        #expect(try project.deploy().status == 0)
        // Leave about 2 MiB free on host1, then send a bundle with 8 MiB that does not compress.
        let fill = try fleet.exec(
            fleet.hosts[0],
            [
                "sh", "-c",
                "dd if=/dev/zero of=/var/tmp/ballast bs=1M count=$(( $(df -m --output=avail / | tail -1) - 2 ))",
            ])
        #expect(fill.status == 0, "\(fill.stderr)")
        let noise = (0..<(8 << 20) / 16).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }
        try project.commit(files: ["noise.txt": noise.joined()])
        let result = try project.deploy()
        #expect(result.status == 0, "host2 succeeds: \(result.stderr)")
        // The probe's free space is checked before DownloadBundle writes a byte.
        #expect(
            result.stderr.contains("not enough free space in /var/lib/tarmac"), "the message says why: \(result.stderr)"
        )
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n", "host1 keeps revision 1")
        #expect(project.installed(fleet.hosts[1]) == "revision 2\n")
        let shown = try Self.newest(project)
        #expect(Self.hostStatuses(shown)["host1"] == "Failed")
    }

    @Test func aHookOverItsTimeoutFailsItsHostPromptly() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit(sleepOn: ["ApplicationStart": (hosts: ["host1"], seconds: 60)], timeout: 2)
        let started = Date()
        let result = try project.deploy()
        #expect(Date().timeIntervalSince(started) < 30, "the 60 s hook was cut at its 2 s timeout")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("failed to complete in 2 seconds"), "\(result.stderr)")
        #expect(Self.hostStatuses(try Self.newest(project)) == ["host1": "Failed", "host2": "Succeeded"])
    }

    @Test func aCutLinkFailsItsHostWithinTheIOTimeout() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce", extra: ["io_timeout: 4"])
        defer { project.repo.remove() }
        try project.commit(sleepOn: ["ApplicationStart": (hosts: ["host1"], seconds: 40)])
        let started = Date()
        let result = try Self.shell(
            project,
            """
            "$TARMAC" deploy fleet > out.log 2>&1 & pid=$!
            sleep 4
            "$FLEET_SH" cut "$FLEET" host1
            wait $pid; echo "status=$?"
            """)
        try? fleet.mend(fleet.hosts[0])
        let log = (try? String(contentsOfFile: project.repo.root + "/out.log", encoding: .utf8)) ?? ""
        #expect(Date().timeIntervalSince(started) < 30, "a dead link fails its host in bounded time: \(log)")
        #expect(result.stdout.contains("status=0"), "\(log)")
        #expect(Self.hostStatuses(try Self.newest(project)) == ["host1": "Failed", "host2": "Succeeded"])
    }

    @Test func aLinkCutDuringTheTransferFailsItsHostWithinTheIOTimeout() throws {
        let fleet = try Fleet.start(hosts: 2, diskSize: "1g")
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        // 96 MiB that does not compress, in a plain tar: the transfer takes long enough to cut.
        try project.repo.write(
            "tarmac.yml",
            "application: \(project.name)\nbundle: { format: tar }\ngroups:\n"
                + fleet.groupYAML(extra: ["io_timeout: 4"]))
        try runCommand(
            "/bin/sh", ["-c", "head -c 100663296 /dev/urandom > big.bin"], in: project.repo.root, check: true)
        try project.commit()
        let started = Date()
        let result = try Self.shell(
            project,
            """
            "$TARMAC" deploy fleet --json > events.jsonl 2> err.log & pid=$!
            until grep -q '"event":"DownloadBundle","host":"host1".*"type":"event_started"' events.jsonl; do
                kill -0 $pid 2>/dev/null || break
                sleep 0.02
            done
            "$FLEET_SH" cut "$FLEET" host1
            wait $pid; echo "status=$?"
            """)
        try? fleet.mend(fleet.hosts[0])
        let log = (try? String(contentsOfFile: project.repo.root + "/err.log", encoding: .utf8)) ?? ""
        #expect(Date().timeIntervalSince(started) < 25, "a dead link fails its host in bounded time: \(log)")
        #expect(result.stdout.contains("status=0"), "host2 succeeds: \(log)")
        #expect(Self.hostStatuses(try Self.newest(project)) == ["host1": "Failed", "host2": "Succeeded"])
        #expect(project.installed(fleet.hosts[0]) == nil, "nothing was installed on host1")
        #expect(project.installed(fleet.hosts[1]) == "revision 1\n")
    }

    @Test func ctrlCStartsNoMoreHostsAndExits130() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "OneAtATime")
        defer { project.repo.remove() }
        try project.commit(sleepOn: ["BeforeInstall": (hosts: ["host1", "host2", "host3"], seconds: 3)])
        let result = try Self.shell(
            project,
            """
            "$TARMAC" deploy fleet > out.log 2>&1 & pid=$!
            sleep 3
            kill -INT $pid
            wait $pid; echo "status=$?"
            """)
        let log = (try? String(contentsOfFile: project.repo.root + "/out.log", encoding: .utf8)) ?? ""
        #expect(result.stdout.contains("status=130"), "\(log)")
        let shown = try Self.newest(project)
        #expect(shown["status"] as? String == "Stopped")
        let statuses = Self.hostStatuses(shown)
        #expect(statuses["host1"] == "Stopped" && statuses["host3"] == "Skipped", "\(statuses)")
        #expect(project.installed(fleet.hosts[2]) == nil)
        #expect(project.events(fleet.hosts[0]) == ["BeforeInstall rev=1"], "host1 finished the event in flight only")
    }

    @Test func aSecondCtrlCStopsTheHooksAndLeavesAStaleLockThatUnlockClears() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        // A duration no other test uses: the fleet's hosts share this machine's process table.
        try project.commit(sleepOn: ["BeforeInstall": (hosts: ["host1"], seconds: 53)])
        let result = try Self.shell(
            project,
            """
            "$TARMAC" deploy fleet --json > events.jsonl 2> err.log & pid=$!
            until grep -q '"event":"BeforeInstall","host":"host1".*"type":"event_started"' events.jsonl; do
                kill -0 $pid 2>/dev/null || break
                sleep 0.05
            done
            sleep 1
            kill -INT $pid; sleep 0.5; kill -INT $pid
            wait $pid; echo "status=$?"
            """)
        #expect(result.stdout.contains("status=130"), "\(result.stdout)")
        var sleeping = true
        for _ in 0..<40 where sleeping {
            sleeping = try fleet.exec(fleet.hosts[0], ["pgrep", "-f", "^sleep 53$"]).status == 0
            if sleeping { Thread.sleep(forTimeInterval: 0.25) }
        }
        #expect(!sleeping, "the hook died with the connection that started it")
        try project.commit()
        // The tarmac that ran the deployment knows from its history that it was cut off, and
        // takes the lock back by itself (PipelineTests covers that); a build box without that
        // history — here it is removed — refuses the stale lock until `hosts unlock` clears it.
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: project.repo.root + "/.tarmac/state.db" + suffix)
        }
        let refused = try project.deploy()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("stale lock"), "\(refused.stderr)")
        let unlock = try project.repo.tarmac("hosts", "unlock", "fleet")
        #expect(unlock.status == 0, "\(unlock.stderr)")
        #expect(unlock.stderr.contains("removed the stale lock"), "\(unlock.stderr)")
        let again = try project.deploy()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(project.installed(fleet.hosts[0]) == "revision 2\n")
    }

    @Test func twoDeploymentsToOneGroupAtOnceTheSecondIsRefused() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit(sleepOn: ["ApplicationStart": (hosts: ["host1", "host2"], seconds: 4)])
        let result = try Self.shell(
            project,
            """
            "$TARMAC" deploy fleet > first.log 2>&1 & pid=$!
            sleep 2
            "$TARMAC" deploy fleet > second.log 2>&1; echo "second=$?"
            wait $pid; echo "first=$?"
            """)
        let second = (try? String(contentsOfFile: project.repo.root + "/second.log", encoding: .utf8)) ?? ""
        #expect(result.stdout.contains("second=1") && result.stdout.contains("first=0"), "\(result.stdout) \(second)")
        #expect(second.contains("is being deployed by another tarmac"), "\(second)")
    }

    @Test func autoRollbackRedeploysTheLastGoodRevisionToTheHostsThatRanInstall() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "OneAtATime", extra: ["auto_rollback: true"])
        defer { project.repo.remove() }
        try project.commit()
        #expect(try project.deploy().status == 0)
        try project.commit(failOn: ["ValidateService": ["host2"]])
        let result = try project.deploy()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("auto rollback"), "\(result.stderr)")
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 1\n", "\(host) is on revision 1 again")
        }
        let rollback = try Self.newest(project)
        #expect(rollback["creator"] as? String == "rollback")
        #expect(Set(Self.hostStatuses(rollback).keys) == ["host1", "host2"], "only the hosts that ran Install")
    }
}
