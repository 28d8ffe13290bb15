import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory
import TarmacTestSupport
import Testing

/// `show --json` and `history --json` against golden files: the contract's field names exactly.
@Suite("history JSON")
struct HistoryJSONTests {
    @Test func showJSONIsGolden() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.deploy("d-SHOWJSON1", failing: "ApplicationStart")
        let detail = try #require(try fixture.store.deployment("d-SHOWJSON1"))
        let json = String(decoding: try HistoryJSON.show(detail), as: UTF8.self) + "\n"
        try Golden.check(json, "history/show.json")
    }

    @Test func historyJSONIsGolden() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.deploy("d-HISTORY01", group: "staging", revision: "2222222222222222222222222222222222222222")
        try fixture.deploy("d-HISTORY02", failing: "Install")
        var rollback = HistoryFixture.record("d-HISTORY03", creator: .rollback)
        rollback.rollbackOf = "d-HISTORY02"
        try fixture.store.begin(rollback, hosts: HistoryFixture.hosts)
        let json = String(decoding: try HistoryJSON.history(try fixture.store.deployments()), as: UTF8.self) + "\n"
        try Golden.check(json, "history/history.json")
    }

    @Test func contractFieldsAreThereAndOptionalsOmitted() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.deploy("d-FIELDS001", failing: "Install")
        let detail = try #require(try fixture.store.deployment("d-FIELDS001"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: try HistoryJSON.show(detail)) as? [String: Any])
        for key in ["id", "kind", "status", "group", "revision", "bundle_sha256", "started_at", "finished_at", "hosts"]
        {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["kind"] as? String == "deployment")
        #expect(object["started_at"] as? String == "2026-01-01T12:00:00.000Z")
        let hosts = try #require(object["hosts"] as? [[String: Any]])
        #expect(Set(hosts[0].keys).isSuperset(of: ["name", "address", "status", "events"]))
        let events = try #require(hosts[0]["events"] as? [[String: Any]])
        #expect(Set(events[0].keys) == ["name", "status", "started_at", "finished_at", "exit_code"])
        let failed = try #require((hosts[1]["events"] as? [[String: Any]])?.last)
        #expect(failed["message"] as? String == "scripts/start.sh exited 3")
        let decoded = try HistoryJSON.decoder().decode(DeploymentView.self, from: try HistoryJSON.show(detail))
        #expect(decoded == DeploymentView(detail))
    }

    @Test func anUnfinishedDeploymentHasANullFinishTime() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-RUNNING01"), hosts: HistoryFixture.hosts)
        let detail = try #require(try fixture.store.deployment("d-RUNNING01"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: try HistoryJSON.show(detail)) as? [String: Any])
        #expect(object["finished_at"] is NSNull)
        #expect(object["status"] as? String == "InProgress")
    }
}
