import Foundation
import TarmacTestSupport
import Testing

/// `tarmac plan` announces the host order `tarmac deploy` then takes: both read the hosts'
/// health from the history (a host whose last deployment failed goes first).
@Suite("tarmac plan: the order deploy takes", .serialized, Fleet.trait())
struct PlanOrderTests {
    @Test func afterAFailedHostPlanAnnouncesTheOrderDeployTakes() throws {
        let fleet = try Fleet.start(hosts: 4)
        defer { try? fleet.stop() }
        var project = try DeployTests.Project(fleet: fleet, config: "OneAtATime")
        defer { project.repo.remove() }
        // host3 fails: OneAtATime stops there, so host4 is skipped and host1, host2 succeed.
        try project.commit(failOn: ["ValidateService": ["host3"]])
        #expect(try project.deploy().status == 1)

        try project.commit()
        let plan = try runCommand(TestPaths.tarmac, ["plan", "fleet", "--json"], in: project.repo.root)
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned =
            try #require(
                try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])["order"] as? [String]
        // Failed first, then never deployed, then on another revision (spec §6.2).
        #expect(planned == ["host3", "host4", "host1", "host2"], "\(plan.stdout)")

        let deploy = try project.deploy("--json")
        #expect(deploy.status == 0, "\(deploy.stderr)")
        let started = deploy.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                event["type"] as? String == "host_started"
            else { return nil }
            return event["host"] as? String
        }
        #expect(started == planned, "\(deploy.stdout)")
    }
}
