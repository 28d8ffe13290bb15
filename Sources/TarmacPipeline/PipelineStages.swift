import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory

/// What comes after one stage.
enum StageOutcome {
    case next
    /// Waiting for `tarmac approve` or `reject`; the runner ends.
    case paused
    case ended(ExecutionState, message: String)
}

/// The stages after source: build, deploy and approval, each recorded as it goes.
struct PipelineStages {
    let context: PipelineContext
    let project: PipelineProject

    var store: HistoryStore { context.store }
    var id: String { context.id }

    func run(_ stage: StageRecord, detail: ExecutionDetail) async throws -> StageOutcome {
        switch stage.kind {
        case .source: return .next
        case .build: return try await PipelineBuild(context: context, project: project).run(stage, detail: detail)
        case .deploy: return try await deploy(stage, detail: detail)
        case .approval: return try pause(stage, detail: detail)
        }
    }

    private func deploy(_ stage: StageRecord, detail: ExecutionDetail) async throws -> StageOutcome {
        let group = stage.name
        context.events(.deployStarted(position: stage.position, group: group))
        try store.updateStage(id, position: stage.position, status: .inProgress)
        guard let bundle = detail.record.bundlePath else {
            return try end(stage, .failed, "no bundle was recorded for \(id)")
        }
        guard let order = order(group: group, bundle: bundle) else {
            return try end(stage, .failed, "the deployment to \(group) did not run: tarmac.yml has no group \(group)")
        }
        if let ended = try await waitForWindow(stage, group: order.group) { return ended }
        let deployer = GroupDeployer(order: order, services: context.services, events: events(stage))
        let outcome: FinishedDeployment
        switch try await deployer.deploy() {
        case .finished(let finished): outcome = finished
        case .refused(let refusal):
            context.events(.deploymentRefused(refusal))
            return try end(stage, .failed, "the deployment to \(group) did not run (\(refusal)); see its log")
        }
        await Rollback.automatic(
            after: outcome, order: order, services: context.services,
            events: { [context] in
                context.events(.deployment($0))
            })
        switch outcome.result.verdict {
        case .succeeded:
            try store.updateStage(id, position: stage.position, status: .succeeded, deploymentID: outcome.deploymentID)
            return .next
        case .failed(let reason):
            return try end(stage, .failed, "deployment \(outcome.deploymentID) to \(group) failed: \(reason)")
        case .stopped:
            return try end(stage, .stopped, "deployment \(outcome.deploymentID) to \(group) was stopped on request")
        }
    }

    /// The deployment of the execution's bundle to `group`, as the commit's tarmac.yml defines it.
    private func order(group name: String, bundle: String) -> DeploymentOrder? {
        guard let group = project.config?.group(named: name) else { return nil }
        var order = DeploymentOrder(
            repository: project.repository.root, application: project.application,
            selection: GroupSelection(group: group, config: group.config), bundle: .given(bundle),
            ignoreStopFailures: group.ignoreApplicationStopFailures)
        order.creator = .pipeline
        order.executionID = id
        return order
    }

    /// The deployment's events, passed on; its id is recorded on the stage once it starts.
    private func events(_ stage: StageRecord) -> @Sendable (DeploymentUpdate) -> Void {
        { [context] event in
            if case .started(let setup) = event {
                try? context.store.updateStage(
                    context.id, position: stage.position, status: .inProgress,
                    deploymentID: setup.request.deploymentID)
            }
            context.events(.deployment(event))
        }
    }

    private func pause(_ stage: StageRecord, detail: ExecutionDetail) throws -> StageOutcome {
        for old in try store.awaitApproval(id, at: stage.position) where old != id {
            context.events(.approvalSuperseded(old, by: id))
        }
        context.events(.awaitingApproval(detail.record, gate: stage.name))
        return .paused
    }

    func end(_ stage: StageRecord, _ state: ExecutionState, _ message: String) throws -> StageOutcome {
        try Self.end(stage, state, message, context: context)
    }

    /// Ends the execution at `stage` (Failed, or Stopped on request), saying why.
    static func end(_ stage: StageRecord, _ state: ExecutionState, _ message: String, context: PipelineContext)
        throws -> StageOutcome
    {
        context.events(.failed(message))
        try context.store.updateStage(
            context.id, position: stage.position, status: state == .stopped ? .stopped : .failed, message: message)
        return .ended(state, message: message)
    }
}
