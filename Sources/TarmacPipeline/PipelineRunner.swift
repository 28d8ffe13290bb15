import ArgumentParser
import Foundation
import TarmacCore
import TarmacGit
import TarmacHistory

/// Runs one pipeline execution from where it stands until it ends or pauses at an approval:
/// the source stage (the commit's tarmac.yml, the trigger filters, the bundle), then — once it
/// is its turn on the pipeline — the build and deploy stages in order.
struct PipelineRunner {
    let repository: GitRepository
    let store: HistoryStore
    let id: String

    /// How long a queued execution sleeps between looks at the queue.
    static let pollInterval = Duration.milliseconds(200)

    /// Runs the execution; returns the state it ended (or paused) in.
    func run() async throws -> ExecutionState {
        Interrupt.install()
        reportInterrupted(try store.sweepInterruptedExecutions())
        guard var detail = try store.execution(id) else {
            Console.say("error: no execution \(id) in this repository's history")
            throw ExitCode(Exit.invalidInput)
        }
        let project: ProjectContext
        switch detail.record.state {
        case .pending:
            let source = PipelineSource(repository: repository, store: store, record: detail.record)
            guard let prepared = try await source.run() else { return try state() }
            project = prepared
        case .queued:
            guard let committed = try await ProjectContext.atCommit(repository, detail.record.commit) else {
                return try fail("the tarmac.yml of \(detail.record.commit.prefix(12)) is gone")
            }
            project = committed
        default:
            Console.say("\(id) is \(detail.record.state.rawValue); there is nothing to run")
            return detail.record.state
        }
        guard try await waitForTurn() else { return try state() }
        detail = try store.execution(id) ?? detail
        let stages = PipelineStages(project: project, store: store, id: id)
        for stage in detail.stages where stage.position >= detail.record.nextStage {
            Self.sayReplaced(try store.advance(id, to: stage.position), by: id)
            switch try await stages.run(stage, detail: try store.execution(id) ?? detail) {
            case .next: continue
            case .paused: return .awaitingApproval
            case .ended(let state, let message):
                try store.finishExecution(id, state, message: message)
                return state
            }
        }
        try store.finishExecution(id, .succeeded)
        Console.say("execution \(id) Succeeded: \(detail.record.commit.prefix(12)) went through every stage")
        return .succeeded
    }

    /// The contract's exit status for how the execution stands.
    static func exitStatus(_ state: ExecutionState) -> Int32 {
        switch state {
        case .failed, .rejected: Exit.failed
        case .stopped: Exit.interrupted
        default: 0
        }
    }

    /// Polls the queue until it is this execution's turn; false when it was superseded or
    /// stopped meanwhile. Ctrl-C while waiting stops it.
    private func waitForTurn() async throws -> Bool {
        var waitingFor: [String] = []
        while true {
            if Interrupt.requested {
                try store.finishExecution(id, .stopped, message: "stopped on request while it waited for its turn")
                Console.say("\(id) stopped while it waited; nothing was deployed")
                return false
            }
            switch try store.takeTurn(id) {
            case .started:
                return true
            case .wait(let behind):
                if behind != waitingFor {
                    Console.say("\(id) waits for \(behind.joined(separator: ", ")) (one execution at a time)")
                    waitingFor = behind
                }
            case .gone(let state, let message):
                Console.say("\(id) \(state.rawValue)" + (message.map { ": \($0)" } ?? "") + "; nothing more to do")
                return false
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    private func state() throws -> ExecutionState {
        try store.execution(id)?.record.state ?? .stopped
    }

    private func fail(_ message: String) throws -> ExecutionState {
        Console.say("error: \(message)")
        try store.finishExecution(id, .failed, message: message)
        return .failed
    }

    /// Names the executions `id` just superseded.
    static func sayReplaced(_ ids: [String], by id: String) {
        for old in ids where old != id { Console.say("\(old) is superseded by \(id) (SUPERSEDED mode)") }
    }

    /// Tells about executions whose runner died: how far they got and what to check.
    private func reportInterrupted(_ swept: [ExecutionDetail]) {
        for execution in swept {
            let record = execution.record
            let stage = execution.currentStage.map { " at stage \($0.position) (\($0.kind.rawValue) \($0.name))" } ?? ""
            Console.say(
                "warning: execution \(record.id) for \(record.commit.prefix(12)) was cut off\(stage): "
                    + "\(record.runner.map { "its runner (pid \($0.pid))" } ?? "its runner") is gone; "
                    + "it is now Stopped")
            if let deployment = execution.currentStage?.deploymentID {
                Console.say(
                    "  its deployment \(deployment) was interrupted: `tarmac show \(deployment)` says which hosts "
                        + "have which revision; the next deployment to \(execution.currentStage?.name ?? "the group") "
                        + "takes back the host locks it left")
            }
        }
    }
}
