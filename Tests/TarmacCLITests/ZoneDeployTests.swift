import Foundation
import TarmacTestSupport
import Testing

/// Health-gated rollouts on the fleet (issue 14): zones with bakes, batches inside a zone, a
/// zone turning unhealthy during its bake, local and on-host checks, a check hanging until its
/// timeout. Order and durations are read from the recorded events' timestamps, never from sleeps.
@Suite("zones, bakes and health checks", .serialized, Fleet.trait())
struct ZoneDeployTests {
    typealias Project = DeployTests.Project

    /// A tarmac.yml for the fleet's hosts with a zone each, a configuration and health checks.
    static func yaml(
        _ project: Project, zones: [String], configs: String, config: String, checks: [String], interval: Int = 1,
        extra: [String] = []
    ) -> String {
        let fleet = project.fleet
        var lines = [
            "application: \(project.name)", "deployment_configs:", configs, "groups:", "  fleet:", "    hosts:",
        ]
        for (host, zone) in zip(fleet.hosts, zones) {
            lines.append("      - { name: \(host.name), address: \(host.address), zone: \(zone) }")
        }
        lines += [
            "    user: root", "    identity: \(fleet.identityPath)", "    known_hosts: \(fleet.knownHostsPath)",
            "    config: \(config)", "    health:", "      interval: \(interval)", "      checks:",
        ]
        lines += checks.map { "        - " + $0 }
        lines += extra.map { "    " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    static func time(_ event: [String: Any], _ key: String = "time") throws -> Date {
        let text = try #require(event[key] as? String, "\(event)")
        return try Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func events(_ all: [[String: Any]], _ type: String, host: String? = nil) -> [[String: Any]] {
        all.filter { $0["type"] as? String == type && (host == nil || $0["host"] as? String == host) }
    }

    @Test func zonesDeployInOrderWithBakesAndBatchesInsideAZone() throws {
        let fleet = try Fleet.start(hosts: 5)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        let seen = project.repo.root + "/../\(project.name)-local-checks.log"
        defer { try? FileManager.default.removeItem(atPath: seen) }
        // Zone a: host1-3, one must stay healthy → batches [host1, host2], [host3]; zone b:
        // host4-5 → [host4], [host5]. Bakes: 3 s after zone a, 2 s after zone b.
        let configs = """
              Zonal:
                minimum_healthy_hosts: { type: HOST_COUNT, value: 0 }
                zonal:
                  first_zone_monitor_duration: 3
                  monitor_duration: 2
                  minimum_healthy_hosts_per_zone: { type: HOST_COUNT, value: 1 }
            """
        try project.repo.write(
            "tarmac.yml",
            Self.yaml(
                project, zones: ["a", "a", "a", "b", "b"], configs: configs, config: "Zonal",
                checks: [
                    "{ name: installed, command: \"test -f /opt/\(project.name)/index.html\", run_on: host }",
                    "{ name: local, command: 'echo \"$TARMAC_HOST_NAME $TARMAC_HOST_ADDRESS $DEPLOYMENT_ID\" >> \(seen)', run_on: local }",
                ]))
        try project.commit()
        let planned = try project.repo.tarmac("plan", "fleet")
        let plan = planned.stdout + planned.stderr
        #expect(plan.contains("zone a: [host1, host2] → [host3], then bake 3 s"), "\(plan)")
        #expect(plan.contains("zone b: [host4] → [host5], then bake 2 s"), "\(plan)")
        #expect(plan.contains("minimum duration: 5 s of bakes"), "\(plan)")
        let result = try project.deploy("--json")
        #expect(result.status == 0, "\(result.stderr)")
        let all = DeployFaultTests.jsonEvents(result.stdout)
        let started = try fleet.hosts.map {
            try Self.time(try #require(Self.events(all, "host_started", host: $0.name).first))
        }
        let finished = try fleet.hosts.map {
            try Self.time(try #require(Self.events(all, "host_finished", host: $0.name).first))
        }
        let zonesPlanned = Self.events(all, "zone_planned")
        #expect(zonesPlanned.map { $0["zone"] as? String } == ["a", "b"])
        #expect(
            zonesPlanned.map { $0["batches"] as? [[String]] ?? [] }
                == [[["host1", "host2"], ["host3"]], [["host4"], ["host5"]]])
        let bakes = Self.events(all, "bake_started")
        let ends = Self.events(all, "bake_ended")
        try #require(bakes.count == 2 && ends.count == 2, "\(all)")
        #expect(bakes.map { $0["zone"] as? String } == ["a", "b"])
        #expect(ends.allSatisfy { $0["passed"] as? Bool == true })
        // Order from the events' own stamps (written in the order they happened); a bake's length
        // from its recorded start and end.
        let bakeA = (try Self.time(bakes[0]), try Self.time(ends[0]))
        let bakeB = (try Self.time(bakes[1]), try Self.time(ends[1]))
        let lengths = try zip(bakes, ends).map {
            try Self.time($1, "at").timeIntervalSince(try Self.time($0, "started_at"))
        }
        // Batches inside zone a: host3 starts once host1 and host2 finished.
        #expect(started[2] >= max(finished[0], finished[1]))
        #expect(started[0] < finished[1] && started[1] < finished[0], "host1 and host2 run together")
        // Zone a bakes after its last host, for its 3 s; zone b only starts after.
        #expect(bakeA.0 >= finished[2] && lengths[0] >= 3)
        #expect(started[3] >= bakeA.1 && started[4] >= finished[3])
        #expect(bakeB.0 >= finished[4] && lengths[1] >= 2 && bakeB.1 > bakeB.0)
        let rounds = Self.events(all, "check_round")
        #expect(rounds.count >= 4, "rounds every second and at each bake's end: \(rounds)")
        let lastHosts = (rounds.last?["hosts"] as? [[String: Any]])?.compactMap { $0["host"] as? String }
        #expect(Set(lastHosts ?? []) == Set(fleet.hosts.map(\.name)), "rounds cover every host deployed so far")
        // The local check ran on this machine with the host and the deployment in its environment.
        let shown = try DeployFaultTests.newest(project)
        let id = try #require(shown["id"] as? String)
        let lines = try String(contentsOfFile: seen, encoding: .utf8).split(separator: "\n")
        for host in fleet.hosts { #expect(lines.contains("\(host.name) \(host.address) \(id)"[...]), "\(lines)") }
        let recorded = try #require(shown["bakes"] as? [[String: Any]])
        #expect(
            recorded.map { $0["zone"] as? String } == ["a", "b"]
                && recorded.allSatisfy { $0["passed"] as? Bool == true })
        #expect(recorded.allSatisfy { !($0["rounds"] as? [Any] ?? []).isEmpty })
        let history = try project.repo.tarmac("show", id)
        #expect(history.stdout.contains("bake 1 after zone a"), "\(history.stdout)")
        let table = try project.repo.tarmac("history")
        #expect(table.stdout.contains(", 2 bakes"), "\(table.stdout)")
    }

    @Test func aZoneTurningUnhealthyDuringItsBakeStopsSkipsLaterZonesAndRollsBack() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        let configs = """
              Zonal:
                minimum_healthy_hosts: { type: HOST_COUNT, value: 0 }
                zonal: { monitor_duration: 2 }
            """
        // On revision 2 the check passes the first time it runs on a host (right after
        // ValidateService) and fails from then on: the zone turns unhealthy in its bake. On
        // revision 1 (the rollback's) it passes.
        let counter = "/var/tmp/\(project.name).checks"
        let command =
            "if grep -q 'revision 2' /opt/\(project.name)/index.html; then n=$(cat \(counter) 2>/dev/null || echo 0); "
            + "echo $((n+1)) > \(counter); [ $n -lt 1 ] || { echo unhealthy: 503; exit 1; }; fi"
        func write() throws {
            try project.repo.write(
                "tarmac.yml",
                Self.yaml(
                    project, zones: ["a", "b", "b"], configs: configs, config: "Zonal",
                    checks: ["{ name: app, command: \"\(command)\", run_on: host }"], extra: ["auto_rollback: true"]))
        }
        try write()
        try project.commit()
        #expect(try project.deploy().status == 0)
        try project.commit()
        let result = try project.deploy("--json")
        #expect(result.status == 1, "\(result.stderr)")
        // The gated deployment's events: those before the automatic rollback's start.
        let every = DeployFaultTests.jsonEvents(result.stdout)
        let second = every.indices.filter { every[$0]["type"] as? String == "deployment_started" }.dropFirst().first
        let all = Array(every[..<(second ?? every.endIndex)])
        #expect(
            Self.events(all, "host_started").compactMap { $0["host"] as? String } == ["host1"], "zone b never starts")
        let ended = try #require(Self.events(all, "bake_ended").first)
        #expect(ended["passed"] as? Bool == false)
        let failed = try #require(Self.events(all, "check_round").last)
        let bad = (failed["hosts"] as? [[String: Any]] ?? []).first { $0["healthy"] as? Bool == false }
        #expect(bad?["host"] as? String == "host1" && bad?["check"] as? String == "app")
        #expect((bad?["output"] as? String ?? "").contains("unhealthy: 503"))
        // The deployment names the check, the host and the output; zone b is Skipped.
        let rollback = try DeployFaultTests.newest(project)
        #expect(rollback["creator"] as? String == "rollback")
        #expect(Set(DeployFaultTests.hostStatuses(rollback).keys) == ["host1"], "only the host that ran Install")
        let list = try JSONSerialization.jsonObject(
            with: Data(try project.repo.tarmac("history", "--json").stdout.utf8))
        let ids = (list as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        try #require(ids.count >= 2)
        let shown = try JSONSerialization.jsonObject(
            with: Data(try project.repo.tarmac("show", ids[1], "--json").stdout.utf8))
        let gated = try #require(shown as? [String: Any])
        #expect((gated["message"] as? String ?? "").contains("health check \"app\" failed on host1"), "\(gated)")
        #expect((gated["message"] as? String ?? "").contains("unhealthy: 503"))
        #expect(DeployFaultTests.hostStatuses(gated) == ["host1": "Succeeded", "host2": "Skipped", "host3": "Skipped"])
        for host in fleet.hosts { #expect(project.installed(host) == "revision 1\n", "\(host) is on revision 1") }
    }
}
