import Foundation
import Synchronization
import TarmacCore
import TarmacTestSupport
import Testing

/// The SSH test fleet itself (Fixtures/fleet/fleet.sh): real hosts, separate from each
/// other and from this machine, whose faults behave like the real thing. Needs root.
@Suite(
    "test fleet", .serialized, Fleet.trait(),
    .timeLimit(.minutes(1)))
struct FleetTests {
    @Test func hostsAreSeparateMachinesReachedOverSSH() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        for host in fleet.hosts {
            let login = try fleet.ssh(host, "id -u; hostname")
            #expect(login.status == 0, "\(host): \(login.stderr)")
            #expect(login.stdout == "0\n\(host.name)\n")
        }

        let host1 = fleet["host1"]
        let host2 = fleet["host2"]
        let file = "/var/lib/tarmac/fleet-test-\(UUID().uuidString)"
        let write = try fleet.ssh(host1, "mkdir -p /var/lib/tarmac && echo written-on-host1 > \(file)")
        #expect(write.status == 0, "\(write.stderr)")
        #expect(try String(contentsOfFile: fleet.root(of: host1) + file, encoding: .utf8) == "written-on-host1\n")
        #expect(FileManager.default.fileExists(atPath: host1.upper + file), "the upper dir holds the host's changes")
        #expect(!FileManager.default.fileExists(atPath: fleet.root(of: host2) + file))
        #expect(!FileManager.default.fileExists(atPath: file), "nothing reaches the real machine")
        #expect(try fleet.exec(host1, ["cat", file]).stdout == "written-on-host1\n")
    }

    @Test func hostsRunTheirSystemsOwnSSHDAndOnlyWhatAMinimalSystemHas() throws {
        let fleet = try Fleet.start(hosts: 4)
        defer { try? fleet.stop() }
        #expect(fleet.hosts.map(\.system) == [.debian11, .debian12, .debian13, .debian11], "mix: the systems in turn")
        let expected: [Fleet.System: (debian: String, openssh: String)] = [
            .debian11: ("11.", "SSH-2.0-OpenSSH_8.4"), .debian12: ("12.", "SSH-2.0-OpenSSH_9.2"),
            .debian13: ("13.", "SSH-2.0-OpenSSH_10.0"),
        ]
        for host in fleet.hosts {
            let want = try #require(expected[host.system])
            let banner = try runCommand(
                "/usr/bin/timeout",
                ["5", "/bin/bash", "-c", "exec 3<>/dev/tcp/$0/22 && head -n 1 <&3", host.address])
            #expect(banner.stdout.hasPrefix(want.openssh), "\(host) \(host.system): \(banner.stdout)")
            let login = try fleet.ssh(
                host, "cat /etc/debian_version; for t in python3 sudo setfacl; do command -v $t; done")
            #expect(login.stdout.hasPrefix(want.debian), "\(host) \(host.system): \(login.stdout)")
            #expect(login.stdout.split(separator: "\n").count == 1, "no python3, sudo, setfacl: \(login.stdout)")
        }
    }

    @Test func groupYAMLIsAValidTarmacGroup() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        let text = "application: app\ngroups:\n" + fleet.groupYAML(config: "OneAtATime", extra: ["max_revisions: 2"])
        let (config, diagnostics) = ProjectConfig.parse(text, file: "tarmac.yml")
        #expect(diagnostics.isEmpty, "\(diagnostics)\n\(text)")
        let group = try #require(config?.group(named: "fleet"))
        #expect(group.hosts.map(\.address) == fleet.hosts.map(\.address))
        #expect(group.identity == fleet.identityPath && group.knownHosts == fleet.knownHostsPath)
        #expect(group.config == .oneAtATime && group.maxRevisions == 2)
        let written = try String(contentsOfFile: fleet.directory + "/tarmac-group.yml", encoding: .utf8)
        #expect(written.hasSuffix(fleet.groupYAML()), "fleet.sh writes the same entry")
    }

    @Test func hostsBehindABastionAreReachedOnlyThroughIt() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        var stopped = false
        defer { if !stopped { try? fleet.stop() } }
        let bastion = try #require(fleet.bastion)
        #expect(try fleet.ssh(bastion, "hostname").stdout == "host0\n")
        for host in fleet.hosts {
            #expect(try fleet.ssh(host, "hostname").stdout == "\(host.name)\n", "through the bastion")
            #expect(try fleet.ssh(host, "true", connectTimeout: 1, direct: true).status != 0, "no way around it")
        }
        // The bastion does not route: only connections its sshd makes reach the hosts.
        let forwarding = try fleet.exec(bastion, ["cat", "/proc/sys/net/ipv4/ip_forward"])
        #expect(forwarding.stdout == "0\n")
        let written = try String(contentsOfFile: fleet.directory + "/tarmac-group.yml", encoding: .utf8)
        #expect(written.hasSuffix(fleet.groupYAML()), "fleet.sh writes the same entry, proxy_jump included")
        let (config, diagnostics) = ProjectConfig.parse("application: a\ngroups:\n" + written, file: "t.yml")
        #expect(diagnostics.isEmpty && config?.groups.first?.proxyJump?.first?.host == bastion.address)
        stopped = true
        try fleet.stop()
        let namespaces = try runCommand("/bin/sh", ["-c", "ip netns list"]).stdout
        let prefix = String(bastion.namespace.dropLast())
        #expect(!namespaces.contains(prefix), "stop removed every namespace: \(namespaces)")
    }

    @Test func cutStallsConnectionsAndMendResumesThem() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        let host = fleet["host1"]

        // A session that is open when the link goes down must stall, not be reset. ssh runs
        // under bash (not exec'd by it) because ssh closes the descriptor Foundation watches
        // to see a child exit, which leaves Foundation blocked reaping it, and every other child.
        let output = fleet.directory + "/session.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let session = Process()
        session.executableURL = URL(fileURLWithPath: "/bin/bash")
        // The session holds until the test writes /tmp/release-session on the host (180 s at most).
        let gate = "n=0; while [ ! -e /tmp/release-session ] && [ $n -lt 1800 ]; do sleep 0.1; n=$((n + 1)); done"
        let login = fleet.sshArguments(host) + ["--", "echo started; \(gate); echo finished"]
        session.arguments = ["-c", #"/usr/bin/ssh "$@"; exit $?"#, "-"] + login
        session.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        session.standardInput = FileHandle.nullDevice
        try session.run()
        try waitFor("the session to start", within: 30) {
            (try? String(contentsOfFile: output, encoding: .utf8)) == "started\n"
        }

        try fleet.cut(host)
        let refused = try fleet.ssh(host, "true", connectTimeout: 2)
        #expect(refused.status == 255)
        #expect(refused.stderr.contains("timed out"), "\(refused.stderr)")
        try fleet.mend(host)
        try Data().write(to: URL(fileURLWithPath: fleet.root(of: host) + "/tmp/release-session"))

        try waitFor("the session to finish after the link came back", within: 60) {
            !session.isRunning
        }
        #expect(session.terminationStatus == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "started\nfinished\n")
        #expect(try fleet.ssh(host, "true", connectTimeout: 2).status == 0)
    }

    @Test func stoppedSSHDRefusesConnections() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        let host = fleet["host1"]
        try fleet.stopSSHD(host)
        let refused = try fleet.ssh(host, "true")
        #expect(refused.status == 255 && refused.stderr.contains("Connection refused"), "\(refused.stderr)")
        try fleet.startSSHD(host)
        #expect(try fleet.ssh(host, "true").status == 0)
    }

    @Test func fullDiskFailsWritesUntilFreed() throws {
        let fleet = try Fleet.start(hosts: 1, diskSize: "32m")
        defer { try? fleet.stop() }
        let host = fleet["host1"]
        let write = "dd if=/dev/zero of=/var/lib/fleet-test-fill bs=64k count=16"
        try fleet.fill(host)
        let full = try fleet.ssh(host, write)
        #expect(full.status != 0)
        #expect(full.stderr.contains("No space left on device"), "\(full.stderr)")
        try fleet.unfill(host)
        let freed = try fleet.ssh(host, write)
        #expect(freed.status == 0, "\(freed.stderr)")
    }

    @Test func stopLeavesNothingBehind() throws {
        let fleet = try Fleet.start(hosts: 2)
        try fleet.cut(fleet["host2"])  // a fault still in place must not get in the way
        try fleet.stop()
        try fleet.stop()  // a second stop does nothing

        let listed = try runCommand("ip", ["netns", "list"], check: true).stdout.split(separator: "\n")
        let namespaces = Set(listed.compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(namespaces.isDisjoint(with: fleet.hosts.map(\.namespace)), "\(namespaces)")
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(fleet.directory))
        #expect(!FileManager.default.fileExists(atPath: fleet.directory))
        let sshd = try runCommand("pgrep", ["-f", fleet.directory])
        #expect(sshd.stdout.isEmpty, "processes of the fleet still run: \(sshd.stdout)")
    }

    @Test func twoFleetsRunSideBySide() throws {
        // Started at the same moment, so they race for fleet ids.
        let started = Mutex<[Result<Fleet, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let fleet = Result { try Fleet.start(hosts: 2) }
            started.withLock { $0.append(fleet) }
        }
        let results = started.withLock { $0 }
        defer { for case .success(let fleet) in results { try? fleet.stop() } }
        let fleets = try results.map { try $0.get() }
        let (a, b) = (fleets[0], fleets[1])
        #expect(Set(a.hosts.map(\.address)).isDisjoint(with: b.hosts.map(\.address)))
        #expect(Set(a.hosts.map(\.namespace)).isDisjoint(with: b.hosts.map(\.namespace)))

        for fleet in fleets {
            for host in fleet.hosts { #expect(try fleet.ssh(host, "true").status == 0, "\(fleet.directory) \(host)") }
        }
        // Each fleet's key opens only its own hosts.
        var foreign = a.sshArguments(b["host1"])
        foreign[foreign.firstIndex(of: "UserKnownHostsFile=\(a.knownHostsPath)")!] =
            "UserKnownHostsFile=\(b.knownHostsPath)"
        let refused = try runCommand("/usr/bin/ssh", foreign + ["true"])
        #expect(refused.status == 255 && refused.stderr.contains("Permission denied"), "\(refused.stderr)")

        try a.stop()
        #expect(try b.ssh(b["host1"], "true").status == 0, "stopping one fleet leaves the other running")
    }
}
