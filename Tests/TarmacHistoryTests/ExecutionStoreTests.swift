import Foundation
import TarmacCore
import TarmacHistory
import TarmacTestSupport
import Testing

/// Executions in the history: creation order, the queue (turns, superseding), approvals,
/// and executions whose runner died.
@Suite struct ExecutionStoreTests {
    static let stages = [
        StageRecord(position: 0, kind: .source, name: "source"),
        StageRecord(position: 1, kind: .deploy, name: "staging"),
        StageRecord(position: 2, kind: .approval, name: "promote?"),
        StageRecord(position: 3, kind: .deploy, name: "production"),
    ]

    /// A live runner: this test process.
    let me = RunnerIdentity.current

    func create(_ store: HistoryStore, _ id: String, mode: Pipeline.Mode, commit: String = "c0ffee") throws {
        try store.createExecution(
            ExecutionRecord(
                id: id, application: "docs-site", commit: commit, trigger: .postCommit,
                logPath: ".tarmac/logs/\(id).log",
                runner: me))
        try store.defineStages(id, mode: mode, stages: Self.stages)
    }

    @Test func executionsAreNumberedInCreationOrder() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        for id in ["e-1", "e-2", "e-3"] { try create(fixture.store, id, mode: .queued) }
        #expect(try fixture.store.executions().map(\.record.sequence) == [3, 2, 1])
        let detail = try #require(try fixture.store.execution("e-2"))
        #expect(detail.record.state == .pending && detail.stages.map(\.name) == Self.stages.map(\.name))
        #expect(detail.groups == ["staging", "production"])
    }

    @Test func queuedModeTakesTurnsOldestFirst() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        let store = fixture.store
        for id in ["e-1", "e-2"] { try create(store, id, mode: .queued) }
        try store.enqueue("e-2", at: 1)
        #expect(try store.takeTurn("e-2") == .wait(behind: ["e-1"]))
        try store.enqueue("e-1", at: 1)
        #expect(try store.takeTurn("e-2") == .wait(behind: ["e-1"]))
        #expect(try store.takeTurn("e-1") == .started)
        #expect(try store.takeTurn("e-2") == .wait(behind: ["e-1"]))
        try store.awaitApproval("e-1", at: 2)
        #expect(try store.takeTurn("e-2") == .started)
        try store.awaitApproval("e-2", at: 2)
        #expect(try store.execution("e-1")?.record.state == .awaitingApproval)
        #expect(throws: ApprovalRefusal.olderFirst("e-2", ["e-1"])) {
            try store.approve("e-2", by: "ana", runner: me)
        }
        let approved = try store.approve("e-1", by: "ana", runner: me)
        #expect(approved.record.state == .queued && approved.record.nextStage == 3)
        #expect(approved.stages[2].status == .succeeded && approved.stages[2].answeredBy == "ana")
    }

    @Test func supersededModeReplacesWaitingExecutionsButNeverARunningOne() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        let store = fixture.store
        for id in ["e-1", "e-2", "e-3", "e-4"] { try create(store, id, mode: .superseded) }
        try store.enqueue("e-1", at: 1)
        #expect(try store.takeTurn("e-1") == .started)
        #expect(try store.enqueue("e-2", at: 1) == [])
        // e-3 catches up with e-2 (both wait for stage 1); e-1 runs and is left alone.
        #expect(try store.enqueue("e-3", at: 1) == ["e-2"])
        let replaced = try #require(try store.execution("e-2")).record
        #expect(replaced.state == .superseded && replaced.message == "superseded by e-3 (c0ffee)")
        #expect(try store.takeTurn("e-2") == .gone(.superseded, message: "superseded by e-3 (c0ffee)"))
        try store.advance("e-1", to: 2)
        try store.awaitApproval("e-1", at: 2)
        #expect(try store.takeTurn("e-3") == .started)
        // e-3 reaching the approval replaces e-1's pending approval.
        #expect(try store.awaitApproval("e-3", at: 2) == ["e-1"])
        #expect(throws: ApprovalRefusal.notWaiting("e-1", .superseded)) {
            try store.approve("e-1", by: "ana", runner: me)
        }
        let e1 = try #require(try store.execution("e-1"))
        #expect(e1.stages[2].status == .stopped)
        // e-4 (still pending) was never touched.
        #expect(try store.execution("e-4")?.record.state == .pending)
    }

    @Test func rejectionEndsTheExecution() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try create(fixture.store, "e-1", mode: .queued)
        try fixture.store.enqueue("e-1", at: 1)
        #expect(try fixture.store.takeTurn("e-1") == .started)
        try fixture.store.awaitApproval("e-1", at: 2)
        let detail = try fixture.store.reject("e-1", by: "ana", reason: "not today")
        #expect(detail.record.state == .rejected && detail.record.state.status == "Failed")
        #expect(detail.stages[2].status == .failed && detail.stages[2].message == "rejected by ana: not today")
        #expect(detail.stages[3].status == .pending && detail.record.finishedAt != nil)
    }

    @Test func executionsOfADeadRunnerAreStoppedAndReported() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        let store = fixture.store
        // A process that has exited: its pid no longer has this start time.
        let gone = try runCommand("/bin/sh", ["-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let dead = RunnerIdentity(pid: try #require(Int32(gone)), startTicks: 1)
        try create(store, "e-1", mode: .queued)
        try create(store, "e-2", mode: .queued)
        try store.setRunner("e-1", dead)
        try store.enqueue("e-1", at: 1)
        try store.updateStage("e-1", position: 1, status: .inProgress, deploymentID: "d-XYZ")
        try store.enqueue("e-2", at: 1)
        // e-2 is not stuck behind the dead e-1.
        #expect(try store.takeTurn("e-2") == .started)
        let e1 = try #require(try store.execution("e-1"))
        #expect(
            e1.record.state == .stopped && e1.record.message?.hasPrefix("interrupted: its runner (pid \(gone))") == true
        )
        #expect(e1.stages[1].status == .stopped && e1.stages[1].deploymentID == "d-XYZ")
        #expect(try store.sweepInterruptedExecutions().isEmpty)
        #expect(me.isAlive && !dead.isAlive)
    }

    @Test func historyJSONListsExecutionsWithDeploymentsNewestFirst() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.deploy("d-OLD")
        try create(fixture.store, "e-1", mode: .queued)
        let json = try HistoryJSON.history(try fixture.store.deployments(), executions: try fixture.store.executions())
        let items = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        #expect(items.map { $0["id"] as? String } == ["e-1", "d-OLD"])
        #expect(items[0]["kind"] as? String == "execution" && items[0]["status"] as? String == "InProgress")
        #expect(items[0].keys.contains("group") && items[0]["stages"] == nil)
        let detail = try #require(try fixture.store.execution("e-1"))
        let show = try #require(try JSONSerialization.jsonObject(with: HistoryJSON.show(detail)) as? [String: Any])
        #expect((show["stages"] as? [Any])?.count == 4 && show["bundle_sha256"] is NSNull)
    }
}
