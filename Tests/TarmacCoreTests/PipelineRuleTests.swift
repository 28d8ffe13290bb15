import Testing

@testable import TarmacCore

/// The trigger filters of a post-commit run and the queue rules for overlapping executions.
@Suite struct PipelineRuleTests {
    @Test(arguments: [
        (["main"], "main", true), (["main"], "feature/x", false), (["release/*"], "release/1.2", true),
        (["release/*"], "releases", false), (["main", "hotfix-?"], "hotfix-1", true),
        (["[mp]*"], "prod", true), (["[!mp]*"], "prod", false),
    ])
    func branches(filter: [String], branch: String, runs: Bool) {
        let decision = Pipeline.Trigger(branches: filter).decide(branch: branch, changedPaths: nil)
        #expect((decision == .run) == runs)
    }

    @Test func skipReasonsNameWhatDidNotMatch() {
        let trigger = Pipeline.Trigger(branches: ["main"], paths: ["site/", "*.md"])
        #expect(
            trigger.decide(branch: "dev", changedPaths: ["site/a"])
                == .skip(reason: #"branch "dev" is not in trigger.branches [main]"#))
        #expect(
            trigger.decide(branch: nil, changedPaths: nil)
                == .skip(reason: "the commit was made on a detached HEAD, not on a branch of trigger.branches"))
        guard case .skip(let reason) = trigger.decide(branch: "main", changedPaths: ["src/a.c", "Makefile"]) else {
            Issue.record("a commit outside the paths must be skipped")
            return
        }
        #expect(reason.contains("trigger.paths [site/, *.md]") && reason.contains("src/a.c, Makefile"))
    }

    @Test(arguments: [
        ("site", "site/index.html", true), ("site/", "site/a/b.css", true), ("site", "site.txt", false),
        ("site", "website/a", false), ("./site/", "site/x", true), ("*.md", "docs/guide/a.md", true),
        ("docs/*.md", "docs/a.md", true), ("docs/*.md", "src/a.md", false), ("Makefile", "Makefile", true),
        (".", "anything", true),
    ])
    func paths(filter: String, path: String, matches: Bool) {
        let trigger = Pipeline.Trigger(branches: ["main"], paths: [filter])
        #expect((trigger.decide(branch: "main", changedPaths: [path]) == .run) == matches)
    }

    typealias Entry = ExecutionQueue.Entry

    @Test func supersededOnlyByNewerLiveExecutionsThatCaughtUp() {
        // e1 waits at the approval (stage 2); e2 deploys staging (stage 1); e3 and e4 queue for stage 1.
        let entries = [
            Entry(id: "e1", sequence: 1, state: .awaitingApproval, nextStage: 2),
            Entry(id: "e2", sequence: 2, state: .running, nextStage: 1),
            Entry(id: "e3", sequence: 3, state: .queued, nextStage: 1),
            Entry(id: "e4", sequence: 4, state: .queued, nextStage: 1),
            Entry(id: "e5", sequence: 5, state: .pending, nextStage: 0),
        ]
        #expect(ExecutionQueue.superseded(entries, mode: .superseded) == ["e3"])
        #expect(ExecutionQueue.superseded(entries, mode: .queued) == [])
        // When e2 reaches the approval, the older approval is replaced.
        var later = entries
        later[1].state = .awaitingApproval
        later[1].nextStage = 2
        #expect(ExecutionQueue.superseded(later, mode: .superseded) == ["e1", "e3"])
        // A running execution is never replaced, even by a newer one further on.
        let running = [
            Entry(id: "e1", sequence: 1, state: .running, nextStage: 1),
            Entry(id: "e2", sequence: 2, state: .awaitingApproval, nextStage: 2),
        ]
        #expect(ExecutionQueue.superseded(running, mode: .superseded) == [])
    }

    @Test func theOldestWaitingExecutionGoesFirst() {
        let entries = [
            Entry(id: "e1", sequence: 1, state: .awaitingApproval, nextStage: 2),
            Entry(id: "e2", sequence: 2, state: .pending, nextStage: 0),
            Entry(id: "e3", sequence: 3, state: .queued, nextStage: 1),
            Entry(id: "e4", sequence: 4, state: .queued, nextStage: 3),
        ]
        #expect(ExecutionQueue.ahead(of: entries[2], among: entries) == ["e2"])
        #expect(ExecutionQueue.ahead(of: entries[3], among: entries) == ["e2", "e3"])
        var running = entries
        running[1].state = .running
        #expect(ExecutionQueue.ahead(of: running[2], among: running) == ["e2"])
        #expect(ExecutionQueue.ahead(of: running[1], among: running) == [])
    }

    @Test func queuedModeApprovesInCommitOrder() {
        let entries = [
            Entry(id: "e1", sequence: 1, state: .awaitingApproval, nextStage: 2),
            Entry(id: "e2", sequence: 2, state: .awaitingApproval, nextStage: 2),
            Entry(id: "e3", sequence: 3, state: .awaitingApproval, nextStage: 4),
            Entry(id: "e0", sequence: 0, state: .succeeded, nextStage: 5),
        ]
        #expect(ExecutionQueue.approvalBlockers(of: entries[1], among: entries, mode: .queued) == ["e1"])
        #expect(ExecutionQueue.approvalBlockers(of: entries[0], among: entries, mode: .queued) == [])
        #expect(ExecutionQueue.approvalBlockers(of: entries[2], among: entries, mode: .queued) == ["e1", "e2"])
        #expect(ExecutionQueue.approvalBlockers(of: entries[1], among: entries, mode: .superseded) == [])
    }

    @Test func statesMapToTheContractsStatuses() {
        #expect(ExecutionState.awaitingApproval.status == "InProgress")
        #expect(ExecutionState.superseded.status == "Stopped")
        #expect(ExecutionState.rejected.status == "Failed")
        #expect(ExecutionState.skipped.status == "Skipped")
        #expect(ExecutionState.allCases.filter { !$0.isFinal } == [.pending, .queued, .running, .awaitingApproval])
    }
}
