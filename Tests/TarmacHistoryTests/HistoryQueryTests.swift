import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory
import Testing

/// The reads: listing, rollback's last good deployment, what runs where, output filters.
@Suite("history queries")
struct HistoryQueryTests {
    @Test func newestFirstWithGroupFilterAndLimit() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.deploy("d-FIRST0001", group: "staging")
        try fixture.deploy("d-SECOND001", group: "production")
        try fixture.deploy("d-THIRD0001", group: "staging", failing: "Install")
        let all = try fixture.store.deployments()
        #expect(all.map(\.record.id) == ["d-THIRD0001", "d-SECOND001", "d-FIRST0001"])
        #expect(all.map(\.hostsSucceeded) == [1, 2, 2])
        #expect(all.allSatisfy { $0.hostsTotal == 2 })
        #expect(try fixture.store.deployments(group: "staging").map(\.record.id) == ["d-THIRD0001", "d-FIRST0001"])
        #expect(try fixture.store.deployments(limit: 1).map(\.record.id) == ["d-THIRD0001"])
        #expect(try fixture.store.deployments(group: "nowhere").isEmpty)
    }

    @Test func lastSuccessfulSkipsFailedAndOtherGroups() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        #expect(try fixture.store.lastSuccessful(group: "production") == nil)
        try fixture.deploy("d-GOOD00001", revision: "good")
        try fixture.deploy("d-STAGING01", group: "staging", revision: "staged")
        try fixture.deploy("d-BAD000001", revision: "bad", failing: "ValidateService")
        try fixture.deploy("d-BAD000002", revision: "worse", failing: "Install")
        let last = try #require(try fixture.store.lastSuccessful(group: "production"))
        #expect(last.id == "d-GOOD00001")
        #expect(last.revision == "good")
        #expect(last.fileExistsBehavior == .overwrite)
        #expect(try fixture.store.lastSuccessful(group: "staging")?.id == "d-STAGING01")
    }

    @Test func currentRevisionsFollowTheLastCompletedInstallOnEachHost() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.deploy("d-ONE000001", revision: "one")
        // Install fails on web2: web1 moves to "two", web2 stays on "one".
        try fixture.deploy("d-TWO000001", revision: "two", failing: "Install")
        // Fails after Install: both hosts now run "three", though the deployment failed.
        try fixture.deploy("d-THREE0001", revision: "three", failing: "ValidateService")
        // Never reaches Install: changes nothing.
        try fixture.deploy("d-FOUR00001", revision: "four", events: ["ApplicationStop"], failing: "ApplicationStop")
        let now = try fixture.store.currentRevisions(group: "production")
        #expect(now.map(\.host) == ["web1", "web2"])
        #expect(now.map(\.revision) == ["three", "three"])
        #expect(now.map(\.deploymentID) == ["d-THREE0001", "d-THREE0001"])
        #expect(now[1].address == "10.20.0.12")
        #expect(now.allSatisfy { $0.installedAt != nil })
        try fixture.deploy("d-FIVE00001", revision: "five", failing: "Install")
        let after = try fixture.store.currentRevisions(group: "production")
        #expect(after.map(\.revision) == ["five", "three"])
        #expect(try fixture.store.currentRevisions(group: "staging").isEmpty)
    }

    @Test func outputFiltersByHostAndEvent() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.deploy("d-LOGS00001", failing: "ApplicationStart")
        try fixture.deploy("d-OTHER0001")
        let all = try fixture.store.output("d-LOGS00001")
        #expect(all.count == 10)
        #expect(all.first?.text == "ApplicationStop on web1")
        let web2 = try fixture.store.output("d-LOGS00001", host: "web2")
        #expect(web2.map(\.text).last == "boom")
        #expect(web2.last?.stream == .stderr)
        #expect(web2.allSatisfy { $0.host == "web2" })
        let install = try fixture.store.output("d-LOGS00001", event: "Install")
        #expect(install.map(\.text) == ["Install on web1", "Install on web2"])
        let one = try fixture.store.output("d-LOGS00001", host: "web1", event: "Install")
        #expect(one.map(\.text) == ["Install on web1"])
        #expect(try fixture.store.output("d-NOSUCHONE").isEmpty)
        let times = all.map(\.time)
        #expect(times == times.sorted())
    }
}
