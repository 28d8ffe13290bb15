import Foundation
import TarmacTestSupport
import Testing

/// A check past its timeout, a start refused for unhealthy hosts, Ctrl-C during a bake, and the live board.
extension ZoneDeployTests {
    @Test func aCheckHangingPastItsTimeoutFailsItsHost() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        let configs = """
              Plain:
                minimum_healthy_hosts: { type: HOST_COUNT, value: 0 }
            """
        // On host2 the on-host check hangs (a child that holds its output open); its timeout is 1 s.
        try project.repo.write(
            "tarmac.yml",
            Self.yaml(
                project, zones: ["a", "a"], configs: configs, config: "Plain",
                checks: [
                    "{ name: hang, command: '[ \"$(hostname)\" != host2 ] || sleep 60', run_on: host, timeout: 1 }"
                ]))
        try project.commit()
        let result = try project.deploy("--json")
        #expect(result.status == 0, "AllAtOnce: host1 succeeded \(result.stderr)")
        let all = DeployFaultTests.jsonEvents(result.stdout)
        let failure = try #require(Self.events(all, "health_check_failed").first, "\(all)")
        #expect(failure["host"] as? String == "host2" && failure["timed_out"] as? Bool == true)
        #expect((failure["output"] as? String ?? "").contains("ran longer than its timeout of 1 s"))
        let validated = try #require(
            Self.events(all, "event_finished", host: "host2").first { $0["event"] as? String == "ValidateService" })
        let hostEnd = try #require(Self.events(all, "host_finished", host: "host2").first)
        #expect(try Self.time(hostEnd).timeIntervalSince(try Self.time(validated)) < 10, "bounded by the timeout")
        let shown = try DeployFaultTests.newest(project)
        #expect(DeployFaultTests.hostStatuses(shown) == ["host1": "Succeeded", "host2": "Failed"])
        // The history keeps the failing check as a failed HealthCheck event after ValidateService.
        let host2 = (shown["hosts"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "host2" }
        let events = (host2?["events"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(events.suffix(2) == ["ValidateService", "HealthCheck"], "\(events)")
        let check = (host2?["events"] as? [[String: Any]] ?? []).last
        #expect(check?["status"] as? String == "Failed")
        #expect((check?["message"] as? String ?? "").hasPrefix("hang: ran longer than its timeout of 1 s"))
        // host2's own record agrees: its receipt says Failed and ends with the check. Its
        // `_last_successful_install` names this deployment, whose files (and started service) are
        // on host2, as after a failed ValidateService (spec §2.2): the next ApplicationStop stops them.
        let id = try #require(shown["id"] as? String)
        let read = try fleet.exec(fleet.hosts[1], ["cat", "/var/lib/tarmac/receipts/\(id).json"])
        let receipt = try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any]
        #expect(receipt?["result"] as? String == "Failed", "\(read.stdout)\(read.stderr)")
        let written = receipt?["events"] as? [[String: Any]] ?? []
        #expect(written.compactMap { $0["name"] as? String }.suffix(2) == ["ValidateService", "HealthCheck"])
        #expect(written.last?["status"] as? String == "Failed")
        #expect((written.last?["message"] as? String ?? "").hasPrefix("hang: ran longer than its timeout of 1 s"))
        let last = try fleet.exec(
            fleet.hosts[1], ["sh", "-c", "cat /var/lib/tarmac/deployment-instructions/*_last_successful_install"])
        #expect(last.stdout.hasSuffix("/\(id)"), "\(last.stdout)\(last.stderr)")
        let host1 = try fleet.exec(fleet.hosts[0], ["cat", "/var/lib/tarmac/receipts/\(id).json"])
        let passed = try JSONSerialization.jsonObject(with: Data(host1.stdout.utf8)) as? [String: Any]
        #expect(passed?["result"] as? String == "Succeeded", "host1's check passed")
    }

    @Test func hostsUnhealthyAtTheStartCountAgainstTheGroupAndCanRefuseTheStart() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        func write(minimum: Int) throws {
            let configs = """
                  Zonal:
                    minimum_healthy_hosts: { type: HOST_COUNT, value: \(minimum) }
                    zonal: { monitor_duration: 0 }
                """
            try project.repo.write(
                "tarmac.yml",
                Self.yaml(
                    project, zones: ["a", "b", "b"], configs: configs, config: "Zonal",
                    checks: ["{ name: app, command: 'true', run_on: local }"]))
        }
        // Zone b's hosts fail their first deployment (M = 0: host1 is enough).
        try write(minimum: 0)
        try project.commit(failOn: ["ApplicationStart": ["host2", "host3"]])
        let first = try project.deploy()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            DeployFaultTests.hostStatuses(try DeployFaultTests.newest(project))
                == ["host1": "Succeeded", "host2": "Failed", "host3": "Failed"])
        // With M = 1 only host1 counts healthy at the start: zone a, which goes first, may take
        // nothing offline, and zone b's hosts only come after it. Refused before any host changes.
        try write(minimum: 1)
        try project.commit()
        let refused = try project.deploy()
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "Zonal cannot deploy zone \"a\": 2 of the group's 3 hosts are unhealthy at the start (the last "
                    + "deployment to them failed), so taking a batch of 1 offline would leave 0 healthy where the "
                    + "group needs 1"), "\(refused.stderr)")
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n", "host1 was not touched")
    }

    @Test func ctrlCDuringABakeExits130AndStartsNothingFurther() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        let configs = """
              Zonal:
                minimum_healthy_hosts: { type: HOST_COUNT, value: 0 }
                zonal: { monitor_duration: 600 }
            """
        try project.repo.write(
            "tarmac.yml",
            Self.yaml(
                project, zones: ["a", "b"], configs: configs, config: "Zonal",
                checks: ["{ name: app, command: true, run_on: local }"], interval: 300))
        try project.commit()
        let started = Date()
        let deploy = try project.startDeploy("--json")
        defer { deploy.remove() }
        try waitFor("zone a's bake to start (bake_started)", within: 60) {
            DeployFaultTests.jsonEvents(deploy.stdout).contains { $0["type"] as? String == "bake_started" }
        }
        deploy.interrupt()
        let status = try deploy.wait(within: 60)
        #expect(status == 130, "\(deploy.stderr)")
        #expect(Date().timeIntervalSince(started) < 120, "the 600 s bake ended at the Ctrl-C")
        let all = DeployFaultTests.jsonEvents(deploy.stdout)
        #expect(Self.events(all, "host_started").compactMap { $0["host"] as? String } == ["host1"])
        #expect(Self.events(all, "bake_ended").first?["passed"] as? Bool == false)
        let shown = try DeployFaultTests.newest(project)
        #expect(shown["status"] as? String == "Stopped")
        #expect(DeployFaultTests.hostStatuses(shown) == ["host1": "Succeeded", "host2": "Skipped"])
        #expect(project.installed(fleet.hosts[1]) == nil, "zone b was never touched")
    }

    @Test func theLiveBoardCountsTheBakeDownAndShowsTheLastRound() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        let configs = """
              Zonal:
                minimum_healthy_hosts: { type: HOST_COUNT, value: 0 }
                zonal: { monitor_duration: 3 }
            """
        try project.repo.write(
            "tarmac.yml",
            Self.yaml(
                project, zones: ["a"], configs: configs, config: "Zonal",
                checks: ["{ name: app, command: true, run_on: local }"], interval: 5))
        try project.commit()
        // On a terminal (script(1) gives it one), the board's footer line counts down each second.
        let result = try runCommand(
            "/usr/bin/script", ["-qefc", "\(TestPaths.tarmac) deploy fleet", "/dev/null"], in: project.repo.root,
            environment: ["TERM": "xterm"])
        #expect(result.status == 0, "\(result.stdout)")
        let screen = result.stdout
        #expect(screen.contains("bake 1 after zone a: 3 s left"), "\(screen)")
        #expect(screen.contains("bake 1 after zone a: 1 s left"), "a countdown, second by second: \(screen)")
        #expect(screen.contains("· last round 1: all 1 host healthy"), "\(screen)")
        #expect(screen.contains("bake 1 passed"), "\(screen)")
    }
}
