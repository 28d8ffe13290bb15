import Foundation
import TarmacTestSupport
import Testing

/// The per-zone start check (issue 14) on the command line: a zone where no host may be taken
/// offline refuses `deploy` with exit 2 before any host is contacted; `validate` warns of it.
@Suite("zones: start check")
struct ZoneStartCheckTests {
    @Test func aZoneThatCannotGoOfflineRefusesDeployBeforeAnyHostIsContacted() throws {
        let listener = try Listener()
        defer { listener.close() }
        let repo = try GitFixture.empty("zones")
        defer { repo.remove() }
        try repo.write(
            "tarmac.yml",
            """
            application: zoned
            deployment_configs:
              Zonal:
                minimum_healthy_hosts: { type: HOST_COUNT, value: 0 }
                zonal:
                  monitor_duration: 5
                  minimum_healthy_hosts_per_zone: { type: HOST_COUNT, value: 1 }
            groups:
              web:
                hosts:
                  - { name: h1, address: 127.0.0.1, port: \(listener.port), zone: a }
                  - { name: h2, address: 127.0.0.1, port: \(listener.port), zone: b }
                  - { name: h3, address: 127.0.0.1, port: \(listener.port), zone: b }
                config: Zonal
                connect_timeout: 2
                health: { checks: [{ name: app, command: "true" }] }

            """)
        try repo.write("appspec.yml", "version: 0.0\nos: linux\n")
        try repo.commitAll("one")

        let validated = try repo.tarmac("validate")
        #expect(
            validated.stderr.contains(
                "tarmac.yml:14:13: warning: groups.web.config Zonal keeps 1 of zone \"a\"'s 1 host healthy"),
            "\(validated.stderr)")
        let refused = try repo.tarmac("deploy", "web")
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("group web: Zonal cannot deploy zone \"a\""), "\(refused.stderr)")
        #expect(refused.stderr.contains("no host was contacted"), "\(refused.stderr)")
        #expect(!listener.wasContacted, "no host was contacted")
    }
}
