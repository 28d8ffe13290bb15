import Foundation
import TarmacCore
import TarmacDeploy
import Testing

/// The order `plan` announces and `deploy` takes comes from one place: the journal's health
/// classes, then the start check. These pin that mapping without a fleet.
@Suite("deployment journal: health and the start check")
struct DeploymentJournalTests {
    @Test func aFailedHostIsUnhealthyAndTheRevisionDecidesCurrentOrOutdated() throws {
        let journal = FakeJournal(
            attempts: ["h1": .succeeded, "h2": .failed, "h3": .succeeded],
            installed: ["h1": "r2", "h2": "r2", "h3": "r1"])
        let health = try journal.health(group: "production", hosts: ["h1", "h2", "h3", "h4"], revision: "r2")
        #expect(health == [.current, .unhealthy, .outdated, .unknown])
    }

    @Test func theOrderTakesTheFailedHostFirst() throws {
        let journal = FakeJournal(attempts: ["h3": .failed], installed: ["h1": "r1", "h2": "r1", "h4": "r1"])
        let selection = GroupSelection(group: Self.group(hosts: 4), config: .oneAtATime)
        let health = try journal.health(group: "production", hosts: ["h1", "h2", "h3", "h4"], revision: "r2")
        #expect(try selection.rollout(health: health).order.first == 2, "h3 goes first")
    }

    @Test func aJournalThatCannotBeReadIsAnErrorNotAnUnknownHost() {
        let journal = FakeJournal(attempts: [:], installed: [:], failing: true)
        #expect(throws: FakeJournal.Unreadable.self) {
            try journal.health(group: "production", hosts: ["h1"], revision: "r1")
        }
    }

    @Test func anImpossibleConfigurationIsRefusedAsInvalidInput() throws {
        var order = DeploymentOrder(
            repository: "/nonexistent", application: "docs-site",
            selection: GroupSelection(group: Self.group(hosts: 1), config: .halfAtATime), bundle: .given("/none"),
            ignoreStopFailures: false)
        order.hosts = ["h1"]
        do {
            try order.checkStart()
            Issue.record("HalfAtATime cannot start on one host")
        } catch {
            guard case .startCheck(let group, _) = error else {
                Issue.record("refused as \(error)")
                return
            }
            #expect(group == "production")
            #expect(error.isInvalidInput)
        }
    }

    @Test func aBusyGroupOrAnUnwritableHistoryIsAFailureNotInvalidInput() {
        #expect(!DeploymentRefusal.busy(group: "production", holder: "deployment d-1, pid 7").isInvalidInput)
        #expect(!DeploymentRefusal.unrecorded("database is locked").isInvalidInput)
        #expect(DeploymentRefusal.invalidAppSpec([]).isInvalidInput)
        #expect(
            "\(DeploymentRefusal.busy(group: "production", holder: nil))"
                == "group production is being deployed by another tarmac (unknown)")
    }

    static func group(hosts: Int) -> DeploymentGroup {
        DeploymentGroup(
            name: "production", application: "docs-site",
            hosts: (1...hosts).map { DeploymentGroup.Host(name: "h\($0)") },
            location: SourceLocation(file: "tarmac.yml", line: 1, column: 1))
    }
}

/// A journal that answers from dictionaries, or fails every read.
struct FakeJournal: DeploymentJournal {
    struct Unreadable: Error {}

    var attempts: [String: DeploymentStatus]
    var installed: [String: String]
    var failing = false

    func endInterruptedDeployments() throws {}
    func interruptedDeployments(group: String) throws -> Set<String> { [] }
    func lastAttempts(group: String) throws -> [String: DeploymentStatus] {
        if failing { throw Unreadable() }
        return attempts
    }
    func installedRevisions(group: String) throws -> [String: String] {
        if failing { throw Unreadable() }
        return installed
    }
    func deploymentRecord(_ id: String) throws -> DeploymentRecord? { nil }
    func hostStatuses(deploymentID: String) throws -> [(name: String, status: DeploymentStatus)] { [] }
    func lastSuccessful(group: String) throws -> DeploymentRecord? { nil }
    func recordStart(_ record: DeploymentRecord, hosts: [HostTarget]) throws {}
    func recordEvent(deploymentID: String, host: String, _ event: EventResult) throws {}
    func appendOutput(deploymentID: String, _ lines: [OutputLine]) throws {}
    func updateHost(
        deploymentID: String, host: String, status: DeploymentStatus, installed: Bool?, message: String?,
        transfer: Transfer?
    ) throws {}
    func finish(_ deploymentID: String, status: DeploymentStatus, message: String?) throws {}
    func recordBake(deploymentID: String, _ bake: BakeRecord) throws {}
    func recordCheckRound(deploymentID: String, bake: Int, _ round: CheckRoundRecord) throws {}
}
