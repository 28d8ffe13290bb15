import Foundation
import TarmacCore
import TarmacDeploy
import TarmacGit
import TarmacHistory

/// Runs one pipeline execution from where it stands until it ends or pauses at an approval:
/// the source stage (the commit's tarmac.yml, the trigger filters, the bundle), then — once it
/// is its turn on the pipeline — the build and deploy stages in order. Reports through
/// `context.events`; never prints.
public struct PipelineRunner: Sendable {
    let context: PipelineContext

    public init(_ context: PipelineContext) {
        self.context = context
    }

    var store: HistoryStore { context.store }
    var id: String { context.id }

    /// How long a queued execution sleeps between looks at the queue.
    static let pollInterval = Duration.milliseconds(200)

    /// Runs the execution; returns the state it ended (or paused) in.
    public func run() async throws -> PipelineRunOutcome {
        for execution in try store.sweepInterruptedExecutions() { context.events(.cutOff(execution)) }
        guard var detail = try store.execution(id) else { return .unknownExecution(id) }
        let project: PipelineProject
        switch detail.record.state {
        case .pending:
            let source = PipelineSource(context: context, record: detail.record)
            guard let prepared = try await source.run() else { return .ended(try state()) }
            project = prepared
        case .queued:
            guard let committed = try await PipelineProject.at(context.repository, detail.record.commit) else {
                return .ended(try fail("the tarmac.yml of \(detail.record.commit.prefix(12)) is gone"))
            }
            project = committed
        default:
            context.events(.nothingToRun(id: id, detail.record.state))
            return .ended(detail.record.state)
        }
        guard try await waitForTurn() else { return .ended(try state()) }
        detail = try store.execution(id) ?? detail
        return .ended(try await runStages(detail, project: project))
    }

    /// The stages after source, from the one it is at.
    private func runStages(_ detail: ExecutionDetail, project: PipelineProject) async throws -> ExecutionState {
        let stages = PipelineStages(context: context, project: project)
        for stage in detail.stages where stage.position >= detail.record.nextStage {
            context.events(.superseded(try store.advance(id, to: stage.position), by: id))
            switch try await stages.run(stage, detail: try store.execution(id) ?? detail) {
            case .next: continue
            case .paused: return .awaitingApproval
            case .ended(let state, let message):
                try store.finishExecution(id, state, message: message)
                return state
            }
        }
        try store.finishExecution(id, .succeeded)
        context.events(.succeeded(id: id, commit: detail.record.commit))
        return .succeeded
    }

    /// Polls the queue until it is this execution's turn; false when it was superseded or
    /// stopped meanwhile. A stop request while waiting stops it.
    private func waitForTurn() async throws -> Bool {
        var waitingFor: [String] = []
        while true {
            if context.services.stopRequested() {
                try store.finishExecution(id, .stopped, message: "stopped on request while it waited for its turn")
                context.events(.stoppedWaiting(id: id))
                return false
            }
            switch try store.takeTurn(id) {
            case .started:
                return true
            case .wait(let behind):
                if behind != waitingFor {
                    context.events(.waiting(id: id, behind: behind))
                    waitingFor = behind
                }
            case .gone(let state, let message):
                context.events(.gone(id: id, state, message: message))
                return false
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    private func state() throws -> ExecutionState {
        try store.execution(id)?.record.state ?? .stopped
    }

    private func fail(_ message: String) throws -> ExecutionState {
        context.events(.failed(message))
        try store.finishExecution(id, .failed, message: message)
        return .failed
    }
}

/// What every stage of one execution works with.
public struct PipelineContext: Sendable {
    public var repository: GitRepository
    public var store: HistoryStore
    public var id: String
    /// How a deploy stage reaches hosts and the journal, and the user's stop request (which
    /// also stops a build and an execution waiting for its turn).
    public var services: DeploymentServices
    public var events: @Sendable (PipelineEvent) -> Void

    public init(
        repository: GitRepository, store: HistoryStore, id: String, services: DeploymentServices,
        events: @escaping @Sendable (PipelineEvent) -> Void
    ) {
        self.repository = repository
        self.store = store
        self.id = id
        self.services = services
        self.events = events
    }
}
