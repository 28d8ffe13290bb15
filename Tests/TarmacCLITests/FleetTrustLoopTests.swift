import Foundation
import TarmacTestSupport
import Testing

/// The trust loop over SSH on the test fleet: every deployment leaves a receipt signed by the
/// host's own key, which imports against the fleet's known_hosts; `verify GROUP` finds drift.
@Suite("trust loop on the fleet", .serialized, Fleet.trait())
struct FleetTrustLoopTests {
    @Test func sshDeploymentsLeaveReceiptsSignedOnTheHostAndVerifyFindsDriftPerHost() throws {
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

        let clean = try project.repo.tarmac("verify", "fleet")
        #expect(clean.status == 0, "\(clean.stderr)")
        let app = fleet.root(of: first) + "/opt/\(project.name)"
        try "REVISION 1\n".write(toFile: app + "/index.html", atomically: false, encoding: .utf8)
        #expect(chmod(app + "/only-1.html", 0o600) == 0)
        try "left by the app\n".write(toFile: app + "/extra.log", atomically: false, encoding: .utf8)
        let drift = try project.repo.tarmac("verify", "fleet", "--json")
        #expect(drift.status == 1, "\(drift.stderr)")
        let hosts = try #require(try JSONSerialization.jsonObject(with: Data(drift.stdout.utf8)) as? [[String: Any]])
        #expect(hosts.map { $0["status"] as? String } == ["drift", "clean"], "\(drift.stdout)")
        let modified = (hosts[0]["modified"] as? [[String: Any]])?.map { $0["path"] as? String } ?? []
        #expect(Set(modified) == ["/opt/\(project.name)/index.html", "/opt/\(project.name)/only-1.html"])
        #expect(hosts[0]["extra"] as? [String] == ["/opt/\(project.name)/extra.log"])
        try FileManager.default.removeItem(atPath: app + "/only-1.html")
        let missing = try project.repo.tarmac("verify", "fleet")
        #expect(missing.stderr.contains("missing  /opt/\(project.name)/only-1.html"), "\(missing.stderr)")
    }
}
