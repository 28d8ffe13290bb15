import Foundation
import TarmacTestSupport
import Testing

/// The trust loop over SSH on the test fleet: every deployment leaves a receipt signed by the
/// host's own key, which imports against the fleet's known_hosts.
@Suite("trust loop on the fleet", .serialized, Fleet.trait())
struct FleetTrustLoopTests {
    @Test func sshDeploymentsLeaveReceiptsSignedOnTheHost() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try DeployTests.Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let deployed = try project.deploy()
        #expect(deployed.status == 0, "\(deployed.stderr)")

        // Each host has a receipt, signed with its own host key (ssh-keygen -Y sign on the host).
        let (first, second) = (fleet.hosts[0], fleet.hosts[1])
        let receipts = fleet.root(of: first) + "/var/lib/tarmac/receipts"
        let names = try FileManager.default.contentsOfDirectory(atPath: receipts).sorted()
        let receipt = try #require(names.first { $0.hasSuffix(".json") })
        #expect(names.contains(receipt + ".sig"), "\(names)")
        let copy = project.repo.root + "/.git/receipt.json"
        try FileManager.default.copyItem(atPath: receipts + "/" + receipt, toPath: copy)
        try FileManager.default.copyItem(atPath: receipts + "/" + receipt + ".sig", toPath: copy + ".sig")
        let text = try String(contentsOfFile: copy, encoding: .utf8)
        #expect(text.contains("\"runner\" : \"ssh\"") && text.contains("\"signed\" : true"), "\(text)")
        // The deployment is already in this build box's history: importing it changes nothing,
        // but only after the signature checked out against the fleet's known_hosts.
        let imported = try runCommand(
            TestPaths.tarmac,
            ["receipts", "import", copy, "--known-hosts", fleet.knownHostsPath, "--host", first.address],
            in: project.repo.root)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("already in the history"), "\(imported.stderr)")
        let wrongHost = try runCommand(
            TestPaths.tarmac,
            ["receipts", "import", copy, "--known-hosts", fleet.knownHostsPath, "--host", second.address],
            in: project.repo.root)
        #expect(wrongHost.status == 2, "host2's key did not sign host1's receipt")
    }
}
