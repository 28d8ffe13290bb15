import Foundation
import TarmacTestSupport
import Testing

/// `deploy` over SSH: an unsafe deployment root fails that host before any event; a planted
/// record is refused there too.
extension HostileHostTests {
    @Test(Fleet.trait())
    func deployFailsAHostWithAnUnsafeRootBeforeAnyEventAndPlanSaysWhy() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try DeployTests.Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let bad = fleet.hosts[1]
        let made = try fleet.exec(bad, ["sh", "-c", "mkdir -p /var/lib/tarmac && chmod 0777 /var/lib/tarmac"])
        #expect(made.status == 0, "\(made.stderr)")

        let plan = try runCommand(TestPaths.tarmac, ["plan", "fleet"], in: project.repo.root)
        #expect(
            plan.stderr.contains("/var/lib/tarmac is writable by other users (owner root, uid 0, mode 0777"),
            "\(plan.stderr)")

        // AllAtOnce succeeds with one healthy host of two; the other one is failed, untouched.
        let result = try project.deploy("--json")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let lines = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let mine = lines.filter { $0["host"] as? String == bad.name }
        #expect(!mine.contains { $0["type"] as? String == "event_started" }, "no event ran on \(bad.name)")
        let finished = try #require(mine.first { $0["type"] as? String == "host_finished" })
        #expect(finished["status"] as? String == "Failed")
        #expect(
            (finished["problems"] as? [String])?.first?.hasPrefix(
                "\(bad.name): the deployment root is not safe: /var/lib/tarmac is writable by other users "
                    + "(owner root, uid 0, mode 0777, drwxrwxrwx)") == true, "\(finished)")
        #expect(project.events(bad).isEmpty)
        let entries = try FileManager.default.contentsOfDirectory(atPath: fleet.root(of: bad) + "/var/lib/tarmac")
        #expect(entries.isEmpty, "nothing made in the unsafe root: \(entries)")
    }
}
