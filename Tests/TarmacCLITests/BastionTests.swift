import Foundation
import TarmacTestSupport
import Testing

/// Hosts reachable only through a bastion (a fleet started with `bastion: true`): tarmac goes
/// through it with `proxy_jump` (or `ProxyJump` in ~/.ssh/config), one connection to the
/// bastion serving every host, and a bastion it cannot trust stops everything before any
/// byte reaches a host behind it.
@Suite(
    "tarmac through a bastion", .serialized, Fleet.trait())
struct BastionTests {
    typealias Project = DeployTests.Project

    /// The bastion's sshd log: one `Accepted publickey` line per connection made to it.
    func bastionLogins(_ fleet: Fleet) throws -> Int {
        let log = try String(contentsOfFile: fleet.directory + "/logs/host0-sshd.log", encoding: .utf8)
        return log.components(separatedBy: "Accepted publickey").count - 1
    }

    /// How many connections `host`'s sshd saw, per its log (fleet.sh's own readiness check,
    /// made from the bastion, is one).
    func connections(_ fleet: Fleet, _ host: Fleet.Host) -> Int {
        let log = (try? String(contentsOfFile: fleet.directory + "/logs/\(host.name)-sshd.log", encoding: .utf8)) ?? ""
        return log.components(separatedBy: "Connection from").count - 1
    }

    @Test func deployAndHostsCheckGoThroughOneConnectionToTheBastion() throws {
        let fleet = try Fleet.start(hosts: 3, bastion: true)
        defer { try? fleet.stop() }
        // The hosts are out of this machine's reach: only the bastion leads to them.
        let direct = try fleet.ssh(fleet.hosts[0], "true", connectTimeout: 2, direct: true)
        #expect(direct.status != 0, "a direct connection reached \(fleet.hosts[0])")
        #expect(try fleet.ssh(fleet.hosts[0], "hostname").stdout == "host1\n")
        let loginsBefore = try bastionLogins(fleet)
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let result = try project.deploy()
        #expect(result.status == 0, "\(result.stderr)")
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 1\n", "\(host)")
            #expect(project.events(host).last == "ValidateService rev=1", "\(host)")
        }
        #expect(try bastionLogins(fleet) == loginsBefore + 1, "one connection to the bastion serves every host")
        let check = try project.repo.tarmac("hosts", "check", "fleet")
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.contains("3 of 3 hosts ready"), "\(check.stderr)")
        #expect(try bastionLogins(fleet) == loginsBefore + 2)
    }

    @Test func theJumpLoopSleepsWhileTheHostsAreQuiet() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit(sleepOn: ["ApplicationStart": (hosts: ["host1", "host2"], seconds: 4)])
        // bash's `time` reports the CPU seconds tarmac used: a loop that polls nothing and
        // spins (as it did on libssh2's queued keepalive replies) burns seconds here.
        let timed = try runCommand(
            "/bin/bash", ["-c", "TIMEFORMAT=%U; time \"$TARMAC\" deploy fleet > /dev/null 2>&1"], in: project.repo.root,
            environment: ["TARMAC": TestPaths.tarmac])
        let seconds = Double(timed.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99
        #expect(seconds < 0.75, "tarmac used \(seconds) s of CPU while the hooks slept 4 s")
        for host in fleet.hosts { #expect(project.installed(host) == "revision 1\n", "\(host)") }
    }

    @Test func aWrongBastionKeyFailsEveryHostBehindItAndNothingIsSent() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        defer { try? fleet.stop() }
        // The bastion's lines now hold host1's keys: the bastion presents a key that differs.
        let bastion = fleet.bastion!
        let lines = try String(contentsOfFile: fleet.knownHostsPath, encoding: .utf8).split(separator: "\n")
        let host1 = lines.filter { $0.hasPrefix(fleet.hosts[0].address + " ") }
        let forged = lines.map { line in
            guard line.hasPrefix(bastion.address + " ") else { return String(line) }
            let type = line.split(separator: " ")[1]
            let key = host1.first { $0.split(separator: " ")[1] == type }!.split(separator: " ")[2]
            return "\(bastion.address) \(type) \(key)"
        }
        try (forged.joined(separator: "\n") + "\n").write(
            toFile: fleet.knownHostsPath, atomically: true, encoding: .utf8)
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let before = fleet.hosts.map { connections(fleet, $0) }
        let result = try project.deploy()
        #expect(result.status != 0)
        for (host, seen) in zip(fleet.hosts, before) {
            let line = result.stderr.split(separator: "\n").first {
                $0.contains("\(host.name)") && $0.contains("CHANGED")
            }
            #expect(
                line?.contains("jump host \(bastion.address) (root@\(bastion.address))") == true, "\(result.stderr)")
            #expect(connections(fleet, host) == seen, "\(host) was contacted")
            #expect(project.installed(host) == nil)
            #expect(!FileManager.default.fileExists(atPath: host.upper + "/var/lib/tarmac"), "\(host) got a lock")
        }
        #expect(try bastionLogins(fleet) == 0, "no credential was sent to the bastion")
        let check = try project.repo.tarmac("hosts", "check", "fleet")
        #expect(check.status != 0)
        #expect(check.stderr.contains("0 of 2 hosts ready"), "\(check.stderr)")
    }

    @Test func aBastionRefusingTheLoginOrUnreachableIsNamed() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        defer { try? fleet.stop() }
        let bastion = fleet.bastion!
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let before = fleet.hosts.map { connections(fleet, $0) }
        #expect(try fleet.exec(bastion, ["rm", "/etc/ssh/tarmac-fleet/authorized_keys"]).status == 0)
        let refused = try project.deploy()
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains("jump host \(bastion.address) (root@\(bastion.address)): cannot log in as root"),
            "\(refused.stderr)")
        try fleet.stopSSHD(bastion)
        let unreachable = try project.deploy()
        #expect(unreachable.status != 0)
        #expect(
            unreachable.stderr.contains("jump host \(bastion.address) (root@\(bastion.address)): cannot connect to"),
            "\(unreachable.stderr)")
        #expect(fleet.hosts.map { connections(fleet, $0) } == before, "a host behind the bastion was contacted")
    }

    @Test func aHostTheBastionCannotReachFailsAloneWithTheReason() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        defer { try? fleet.stop() }
        let (up, down) = (fleet.hosts[0], fleet.hosts[1])
        try fleet.stopSSHD(down)
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let result = try project.deploy()
        // AllAtOnce succeeds when one host does; host2's line says why it failed.
        #expect(
            result.stderr.contains(
                "jump host \(fleet.bastion!.address) (root@\(fleet.bastion!.address)) cannot reach \(down.address) port 22"
            ),
            "\(result.stderr)")
        #expect(project.installed(up) == "revision 1\n", "\(result.stderr)")
    }

    @Test func aHostTheBastionGetsNoAnswerFromDoesNotHoldUpTheOthers() throws {
        let fleet = try Fleet.start(hosts: 3, bastion: true)
        defer { try? fleet.stop() }
        let silent = fleet.hosts[0]
        // The bastion sends host1's packets to a MAC address nobody has: its connection attempts
        // go unanswered (the kernel gives up after about two minutes), and libssh2 cannot open
        // another channel while one open is pending.
        // `ip` of this machine, in the bastion's network namespace: a minimal host has no iproute2.
        let neighbour = [
            "-n", try #require(fleet.bastion).namespace, "neigh", "replace", silent.address, "lladdr",
            "02:00:00:00:00:01", "dev", silent.namespace, "nud", "permanent",
        ]
        #expect(try runCommand("ip", neighbour).status == 0)
        var project = try Project(fleet: fleet, config: "AllAtOnce", extra: ["connect_timeout: 2"])
        defer { project.repo.remove() }
        try project.commit()
        // The silent host fails on its own connect timeout (not the kernel's two minutes), and
        // the others are deployed: nothing waits for the open that never gets an answer.
        let result = try project.deploy()
        #expect(
            result.stderr.contains("did not connect to \(silent.address) port 22 within 2.0 seconds"),
            "\(result.stderr)")
        for host in fleet.hosts.dropFirst() { #expect(project.installed(host) == "revision 1\n", "\(host)") }
    }

    @Test func aBastionCutOffFailsEveryHostBehindItInBoundedTime() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce", extra: ["io_timeout: 4"])
        defer { project.repo.remove() }
        try project.commit(holdOn: ["ApplicationStart": ["host1", "host2"]])
        let deploy = try project.startDeploy("--json")
        defer { deploy.remove() }
        for host in fleet.hosts { try project.waitUntilHeld(host, "ApplicationStart") }
        let cut = Date()
        try fleet.cut(fleet.bastion!)
        let status = try deploy.wait(within: 60)
        try? fleet.mend(fleet.bastion!)
        for host in fleet.hosts { try? project.release(host, "ApplicationStart") }
        let log = deploy.stdout + deploy.stderr
        #expect(Date().timeIntervalSince(cut) < 30, "a dead bastion fails its hosts in bounded time: \(log)")
        #expect(status != 0, "\(log)")
        #expect(
            DeployFaultTests.hostStatuses(try DeployFaultTests.newest(project)) == [
                "host1": "Failed", "host2": "Failed",
            ])
        #expect(log.contains("through jump host \(fleet.bastion!.address)"), "\(log)")
    }
}
