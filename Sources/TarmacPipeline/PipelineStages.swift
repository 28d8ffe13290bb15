import ArgumentParser
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
    let project: ProjectContext
    let store: HistoryStore
    let id: String

    func run(_ stage: StageRecord, detail: ExecutionDetail) async throws -> StageOutcome {
        switch stage.kind {
        case .source: return .next
        case .build: return try await PipelineBuild(project: project, store: store, id: id).run(stage, detail: detail)
        case .deploy: return try await deploy(stage, detail: detail)
        case .approval: return try pause(stage, detail: detail)
        }
    }

    private func deploy(_ stage: StageRecord, detail: ExecutionDetail) async throws -> StageOutcome {
        let group = stage.name
        Console.say("stage \(stage.position): deploy to \(group)")
        try store.updateStage(id, position: stage.position, status: .inProgress)
        guard let bundle = detail.record.bundlePath else {
            return try end(stage, .failed, "no bundle was recorded for \(id)")
        }
        let selection: GroupSelection
        do {
            selection = try GroupSelection.resolve(project, group: group, config: nil)
        } catch let exit as ExitCode {
            return try end(
                stage, .failed, "the deployment to \(group) did not run (exit \(exit.rawValue)); see its log")
        }
        var order = project.order(
            selection, rev: nil, bundle: bundle, ignoreStopFailures: selection.group.ignoreApplicationStopFailures)
        order.creator = .pipeline
        order.executionID = id
        let services = DeploymentServices.commandLine(repository: project.repository.root)
        let console = DeployConsole(json: false)
        let events: @Sendable (DeploymentEvent) -> Void = { [store, id] event in
            if case .started(let setup) = event {
                try? store.updateStage(
                    id, position: stage.position, status: .inProgress, deploymentID: setup.request.deploymentID)
            }
            console.render(event)
        }
        let outcome: FinishedDeployment
        switch try await GroupDeployer(order: order, services: services, events: events).deploy() {
        case .finished(let finished): outcome = finished
        case .refused(let refusal):
            refusal.say()
            return try end(stage, .failed, "the deployment to \(group) did not run (\(refusal)); see its log")
        }
        await Rollback.automatic(after: outcome, order: order, services: services, events: console.render)
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

    private func pause(_ stage: StageRecord, detail: ExecutionDetail) throws -> StageOutcome {
        let record = detail.record
        for old in try store.awaitApproval(id, at: stage.position) where old != id {
            Console.say("\(old) is superseded by \(id): its approval is no longer asked for")
        }
        Console.say(
            "execution \(id) waits for approval: \(Quote.text(stage.name))\n"
                + "  commit \(record.commit.prefix(12))" + (record.subject.map { " \(Quote.text($0))" } ?? "") + "\n"
                + "  answer with: tarmac approve \(id)   or   tarmac reject \(id)")
        return .paused
    }

    private func end(_ stage: StageRecord, _ state: ExecutionState, _ message: String) throws -> StageOutcome {
        try Self.end(stage, state, message, store: store, id: id)
    }

    /// Ends the execution at `stage` (Failed, or Stopped on request), saying why.
    static func end(
        _ stage: StageRecord, _ state: ExecutionState, _ message: String, store: HistoryStore, id: String
    ) throws -> StageOutcome {
        Console.say("error: \(message)")
        try store.updateStage(
            id, position: stage.position, status: state == .stopped ? .stopped : .failed, message: message)
        return .ended(state, message: message)
    }
}
