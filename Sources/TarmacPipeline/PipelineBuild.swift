import Foundation
import TarmacBundle
import TarmacCore
import TarmacHistory

/// The build stage: `pipeline.build.commands` in a clean export of the commit (their output in
/// the execution's log), then the execution's bundle from the build's `bundle.root`.
struct PipelineBuild {
    let context: PipelineContext
    let project: PipelineProject

    func run(_ stage: StageRecord, detail: ExecutionDetail) async throws -> StageOutcome {
        guard let build = project.config?.pipeline?.build else { return .next }
        let commit = detail.record.commit
        context.events(.buildStarted(position: stage.position, commit: commit, commands: build.commands.count))
        try context.store.updateStage(context.id, position: stage.position, status: .inProgress)
        let builder = BuildStage(
            repository: project.repository, commit: commit, build: build,
            environment: [
                "TARMAC_COMMIT": commit, "TARMAC_EXECUTION_ID": context.id, "TARMAC_APPLICATION": project.application,
            ])
        let result: BuildResult
        do {
            result = try await cancellingOnStop { [context] in
                try await builder.run { context.events(.buildLine($0)) }
            }
        } catch is CancellationError {
            return try end(stage, .stopped, "the build was stopped on request")
        } catch let error as BuildError {
            return try end(stage, .failed, "the build could not start: \(error)")
        }
        defer { try? result.workspace.cleanup() }
        for command in result.commands where command.succeeded {
            context.events(.buildCommandSucceeded(command))
        }
        if let failure = result.failure {
            return try end(stage, .failed, "the build failed: \(failure)")
        }
        do {
            let outcome = try await builder.bundle(result, application: project.application, settings: project.bundle)
            try PipelineBundle.record(outcome, context: context)
        } catch let error as BundleError {
            let message = PipelineBundle.message(error, commit: String(commit.prefix(12)), context: context)
            return try end(stage, .failed, message)
        } catch let error as BuildError {
            return try end(stage, .failed, "\(error)")
        }
        try context.store.updateStage(context.id, position: stage.position, status: .succeeded)
        return .next
    }

    /// Runs `work` in a task that a stop request cancels (which stops the running command's
    /// process group).
    private func cancellingOnStop<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        let stopRequested = context.services.stopRequested
        let watcher = Task {
            while !Task.isCancelled {
                if stopRequested() { return task.cancel() }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { watcher.cancel() }
        return try await task.value
    }

    private func end(_ stage: StageRecord, _ state: ExecutionState, _ message: String) throws -> StageOutcome {
        try PipelineStages.end(stage, state, message, context: context)
    }
}
