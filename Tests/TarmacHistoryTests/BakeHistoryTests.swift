import Foundation
import TarmacCore
import Testing

@testable import TarmacHistory

/// Bakes and their check rounds (issue 14): stored as they start and end, read back with the
/// deployment, and in `show --json`.
@Suite("history: bakes")
struct BakeHistoryTests {
    @Test func bakesAndRoundsReadBackWithTheDeploymentAndInShowJSON() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-BAKE00001"), hosts: HistoryFixture.hosts)
        let start = Date(timeIntervalSince1970: 1_767_268_800.5)
        var bake = BakeRecord(number: 1, zone: "a", startedAt: start, endsAt: start + 30)
        try fixture.store.recordBake(deploymentID: "d-BAKE00001", bake)
        let healthy = CheckRoundRecord(round: 1, at: start, hosts: [.init(host: "web1", healthy: true)])
        let failing = CheckRoundRecord(
            round: 2, at: start + 10,
            hosts: [
                .init(host: "web1", healthy: false, check: "app", output: "exited 1: 503"),
                .init(host: "web2", healthy: true),
            ])
        try fixture.store.recordCheckRound(deploymentID: "d-BAKE00001", bake: 1, healthy)
        try fixture.store.recordCheckRound(deploymentID: "d-BAKE00001", bake: 1, failing)
        bake.endedAt = start + 10
        bake.passed = false
        try fixture.store.recordBake(deploymentID: "d-BAKE00001", bake)

        let detail = try #require(try fixture.store.deployment("d-BAKE00001"))
        bake.rounds = [healthy, failing]
        #expect(detail.bakes == [bake])

        let json = try #require(
            try JSONSerialization.jsonObject(with: HistoryJSON.show(detail)) as? [String: Any])
        let bakes = try #require(json["bakes"] as? [[String: Any]])
        #expect(bakes.count == 1 && bakes[0]["zone"] as? String == "a" && bakes[0]["passed"] as? Bool == false)
        #expect(bakes[0]["started_at"] as? String == "2026-01-01T12:00:00.500Z")
        let rounds = try #require(bakes[0]["rounds"] as? [[String: Any]])
        let hosts = rounds.last?["hosts"] as? [[String: Any]] ?? []
        #expect(hosts.first?["check"] as? String == "app" && hosts.first?["output"] as? String == "exited 1: 503")
    }

    @Test func aDeploymentWithoutBakesHasNoBakesKey() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-BAKE00002"), hosts: HistoryFixture.hosts)
        let detail = try #require(try fixture.store.deployment("d-BAKE00002"))
        let json = try #require(try JSONSerialization.jsonObject(with: HistoryJSON.show(detail)) as? [String: Any])
        #expect(json["bakes"] == nil)
    }
}
