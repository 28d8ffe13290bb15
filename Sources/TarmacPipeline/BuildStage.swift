import Foundation
import TarmacCore
import TarmacGit

/// The build stage of an execution: `pipeline.build.commands`, one after another, in a clean
/// export of the commit in a private temporary directory — never in the user's working tree.
public struct BuildStage: Sendable {
    public let repository: GitRepository
    /// The full id of the commit to build.
    public let commit: String
    public let build: Pipeline.Build
    /// Variables the commands get on top of this process's environment (whose `GIT_*` are
    /// dropped), e.g. `TARMAC_COMMIT` and `TARMAC_EXECUTION_ID`.
    public let environment: [String: String]

    /// A stage that builds `commit` of `repository` as `build` says.
    public init(repository: GitRepository, commit: String, build: Pipeline.Build, environment: [String: String] = [:]) {
        self.repository = repository
        self.commit = commit
        self.build = build
        self.environment = environment
    }

    /// Exports the commit into a new workspace and runs the commands there, stopping at the
    /// first that fails or outlives `build.timeout`; every output line goes to `onLine`
    /// (one call at a time).
    ///
    /// A failing command is a result. This throws only when the build cannot be set up (the
    /// workspace, the export, a shell that cannot start) or when the task is cancelled — the
    /// running command's process group killed — and then removes the workspace itself;
    /// otherwise the caller removes it with `result.workspace.cleanup()`.
    public func run(onLine: @escaping @Sendable (BuildLine) -> Void) async throws -> BuildResult {
        let workspace = try BuildWorkspace.create()
        do {
            try Task.checkCancellation()
            do {
                try await repository.export(commit, to: workspace.sourceDirectory)
            } catch {
                throw BuildError.export(commit: commit, reason: "\(error)")
            }
            return try await runCommands(in: workspace, onLine: onLine)
        } catch {
            try? workspace.cleanup()  // best effort: the error thrown is the one to report
            throw error
        }
    }

    private func runCommands(
        in workspace: BuildWorkspace, onLine: @escaping @Sendable (BuildLine) -> Void
    ) async throws -> BuildResult {
        var result = BuildResult(workspace: workspace, commit: commit, commands: [])
        let limit = build.timeout.flatMap { $0 > 0 ? $0 : nil }
        let runner = BuildCommandRunner(
            directory: workspace.sourceDirectory, environment: environment, timeout: limit.map { .seconds($0) })
        let serial = SerialCallback(onLine)
        for (index, command) in build.commands.enumerated() {
            try Task.checkCancellation()
            let started = ContinuousClock.now
            let ending: BuildCommandRunner.Ending
            do {
                ending = try await runner.run(command) { stream, text in
                    serial.call(BuildLine(command: index, stream: stream, text: text))
                }
            } catch {
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                throw BuildError.launch(command: command, reason: "\(error)")
            }
            try Task.checkCancellation()
            let ran = BuildCommandResult(
                index: index, total: build.commands.count, command: command, status: ending.status,
                duration: ContinuousClock.now - started, timeout: limit, timedOut: ending.timedOut)
            result.commands.append(ran)
            if !ran.succeeded { break }
        }
        return result
    }
}

/// Hands values to a callback one at a time, whichever thread they come from.
final class SerialCallback<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let body: @Sendable (Value) -> Void

    init(_ body: @escaping @Sendable (Value) -> Void) {
        self.body = body
    }

    func call(_ value: Value) {
        lock.lock()
        defer { lock.unlock() }
        body(value)
    }
}
