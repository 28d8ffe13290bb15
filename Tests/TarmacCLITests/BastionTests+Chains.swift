import Foundation
import TarmacTestSupport
import Testing

extension BastionTests {
    @Test func aChainOfTwoJumpHostsAndHostsTrustThroughIt() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        defer { try? fleet.stop() }
        let bastion = fleet.bastion!
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        // Through the bastion twice: the second hop's connection runs over a channel of the first's.
        let yaml = try String(contentsOfFile: project.repo.root + "/tarmac.yml", encoding: .utf8)
        let chain = "proxy_jump: \"root@\(bastion.address),root@\(bastion.address):22\""
        try project.repo.write(
            "tarmac.yml", yaml.replacingOccurrences(of: "proxy_jump: root@\(bastion.address)", with: chain))
        try project.commit()
        // Nothing known: trust records the jump hosts' keys first, then the hosts' through them.
        try "".write(toFile: fleet.knownHostsPath, atomically: true, encoding: .utf8)
        let trust = try project.repo.tarmac("hosts", "trust", "fleet")
        #expect(trust.status == 0, "\(trust.stderr)")
        #expect(trust.stderr.hasPrefix("jump host \(bastion.address) (\(bastion.address)): "), "\(trust.stderr)")
        let known = try String(contentsOfFile: fleet.knownHostsPath, encoding: .utf8)
        for host in [bastion] + fleet.hosts {
            #expect(known.contains("\(host.address) ssh-ed25519 "), "\(host) in \(known)")
        }
        let logins = try bastionLogins(fleet)
        let result = try project.deploy()
        #expect(result.status == 0, "\(result.stderr)")
        for host in fleet.hosts { #expect(project.installed(host) == "revision 1\n", "\(host)") }
        #expect(try bastionLogins(fleet) == logins + 2, "one connection per hop, shared by both hosts")
        let check = try project.repo.tarmac("hosts", "check", "fleet")
        #expect(
            check.stderr.contains(
                "ok: root@\(fleet.hosts[0].address):22 via root@\(bastion.address), root@\(bastion.address),"),
            "\(check.stderr)")
    }

    @Test func proxyJumpFromTheSSHConfigWithTheBastionsOwnEntry() throws {
        let fleet = try Fleet.start(hosts: 2, bastion: true)
        defer { try? fleet.stop() }
        let home = try TestPaths.temporaryDirectory("home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let bastion = fleet.bastion!
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        let hosts = fleet.hosts.map(\.address).joined(separator: " ")
        try """
        Host gate
          HostName \(bastion.address)
          User root
          IdentityFile \(fleet.identityPath)
        Host \(hosts)
          ProxyJump gate
        """.write(toFile: home + "/.ssh/config", atomically: true, encoding: .utf8)
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        // The group says nothing about the bastion: the ssh config does.
        let yaml = try String(contentsOfFile: project.repo.root + "/tarmac.yml", encoding: .utf8)
        try project.repo.write(
            "tarmac.yml", yaml.replacingOccurrences(of: "    proxy_jump: root@\(bastion.address)\n", with: ""))
        try project.commit()
        let environment = ["HOME": home]
        let result = try runCommand(
            TestPaths.tarmac, ["deploy", "fleet"], in: project.repo.root, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        for host in fleet.hosts { #expect(project.installed(host) == "revision 1\n", "\(host)") }
        // A key tarmac cannot honour is an error before anything connects.
        try "Host \(hosts)\n  ProxyCommand ssh -W %h:%p gate\n".write(
            toFile: home + "/.ssh/config", atomically: true, encoding: .utf8)
        let refused = try runCommand(
            TestPaths.tarmac, ["hosts", "check", "fleet"], in: project.repo.root, environment: environment)
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains(
                "\(home)/.ssh/config:2: error: ProxyCommand (for host \(fleet.hosts[0].address)) is not supported"),
            "\(refused.stderr)")
    }
}
