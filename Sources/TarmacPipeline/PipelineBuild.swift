import Foundation
import TarmacBundle
import TarmacCore
import TarmacHistory
import TarmacPipeline

/// The build stage: `pipeline.build.commands` in a clean export of the commit (their output in
/// the execution's log), then the execution's bundle from the build's `bundle.root`.
struct PipelineBuild {
    let project: ProjectContext
    let store: HistoryStore
    let id: String

    func run(_ stage: StageRecord, detail: ExecutionDetail) async throws -> StageOutcome {
        guard let build = project.config?.pipeline?.build else { return .next }
        let commit = detail.record.commit
        let count = build.commands.count == 1 ? "1 command" : "\(build.commands.count) commands"
        Console.say("stage \(stage.position): build \(commit.prefix(12)) in a clean export (\(count))")
        try store.updateStage(id, position: stage.position, status: .inProgress)
        let builder = BuildStage(
            repository: project.repository, commit: commit, build: build,
            environment: [
                "TARMAC_COMMIT": commit, "TARMAC_EXECUTION_ID": id, "TARMAC_APPLICATION": project.application,
            ])
        let result: BuildResult
        do {
            result = try await Self.cancellingOnInterrupt {
                try await builder.run { line in
                    Console.say("  \(line.command + 1)\(line.stream == .stderr ? "!" : "|") \(line.text)")
                }
            }
        } catch is CancellationError {
            return try end(stage, .stopped, "the build was stopped on request")
        } catch let error as BuildError {
            return try end(stage, .failed, "the build could not start: \(error)")
        }
        defer { try? result.workspace.cleanup() }
        for command in result.commands where command.succeeded {
            Console.say("  ✓ \(command)")
        }
        if let failure = result.failure {
            return try end(stage, .failed, "the build failed: \(failure)")
        }
        do {
            let outcome = try await builder.bundle(result, application: project.application, settings: project.bundle)
            try PipelineBundle.record(outcome, store: store, id: id)
        } catch let error as BundleError {
            return try end(stage, .failed, PipelineBundle.message(error, commit: String(commit.prefix(12))))
        } catch let error as BuildError {
            return try end(stage, .failed, "\(error)")
        }
        try store.updateStage(id, position: stage.position, status: .succeeded)
        return .next
    }

    /// Runs `work` in a task that Ctrl-C cancels (which stops the running command's process group).
    private static func cancellingOnInterrupt<T: Sendable>(_ work: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        let task = Task { try await work() }
        let watcher = Task {
            while !Task.isCancelled {
                if Interrupt.requested { return task.cancel() }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { watcher.cancel() }
        return try await task.value
    }

    private func end(_ stage: StageRecord, _ state: ExecutionState, _ message: String) throws -> StageOutcome {
        try PipelineStages.end(stage, state, message, store: store, id: id)
    }
}
