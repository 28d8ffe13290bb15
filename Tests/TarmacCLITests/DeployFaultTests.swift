import Foundation
import TarmacTestSupport
import Testing

/// Faults on real hosts: keys, sshd, disk, timeouts, links, Ctrl-C, concurrency, rollback.
@Suite("tarmac deploy faults", .serialized, Fleet.trait())
struct DeployFaultTests {
    typealias Project = DeployTests.Project

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

    /// The `--json` event lines of a deployment's stdout so far.
    static func jsonEvents(_ stdout: String) -> [[String: Any]] {
        stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Waits until tarmac said it took the first Ctrl-C (its handler prints after it counted it).
    static func waitForInterruptNotice(_ command: BackgroundCommand) throws {
        try waitFor("tarmac to take the Ctrl-C (\"interrupted: finishing the event in flight\")", within: 30) {
            command.stderr.contains("interrupted: finishing the event in flight")
        }
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
        // The hook holds (never released) with a child of its own: the timeout must end both.
        try project.commit(holdOn: ["ApplicationStart": ["host1"]], timeout: 2)
        let started = Date()
        let result = try project.deploy()
        #expect(Date().timeIntervalSince(started) < 30, "the held hook was cut at its 2 s timeout")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("failed to complete in 2 seconds"), "\(result.stderr)")
        #expect(Self.hostStatuses(try Self.newest(project)) == ["host1": "Failed", "host2": "Succeeded"])
        let held = try #require(project.held(fleet.hosts[0], "ApplicationStart"), "the hook got to its hold")
        try waitFor("the timed-out hook \(held.script) and its child \(held.child) on host1 to be gone", within: 15) {
            held.live.isEmpty
        }
    }

    @Test func aCutLinkFailsItsHostWithinTheIOTimeout() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce", extra: ["io_timeout: 4"])
        defer { project.repo.remove() }
        try project.commit(holdOn: ["ApplicationStart": ["host1"]])
        let deploy = try project.startDeploy()
        defer { deploy.remove() }
        try project.waitUntilHeld(fleet.hosts[0], "ApplicationStart")
        let cut = Date()
        try fleet.cut(fleet.hosts[0])
        let status = try deploy.wait(within: 60)
        try? fleet.mend(fleet.hosts[0])
        try? project.release(fleet.hosts[0], "ApplicationStart")
        #expect(Date().timeIntervalSince(cut) < 30, "a dead link fails its host in bounded time: \(deploy.stderr)")
        #expect(status == 0, "\(deploy.stderr)")
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
        let deploy = try project.startDeploy("--json")
        defer { deploy.remove() }
        try waitFor("host1's DownloadBundle to start (event_started)") {
            Self.jsonEvents(deploy.stdout).contains {
                $0["type"] as? String == "event_started" && $0["host"] as? String == "host1"
                    && $0["event"] as? String == "DownloadBundle"
            }
        }
        try fleet.cut(fleet.hosts[0])
        let status = try deploy.wait(within: 60)
        try? fleet.mend(fleet.hosts[0])
        let log = deploy.stderr
        #expect(Date().timeIntervalSince(started) < 25, "a dead link fails its host in bounded time: \(log)")
        #expect(status == 0, "host2 succeeds: \(log)")
        #expect(Self.hostStatuses(try Self.newest(project)) == ["host1": "Failed", "host2": "Succeeded"])
        #expect(project.installed(fleet.hosts[0]) == nil, "nothing was installed on host1")
        #expect(project.installed(fleet.hosts[1]) == "revision 1\n")
    }
}
