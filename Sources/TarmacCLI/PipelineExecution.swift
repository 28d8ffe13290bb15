import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacGit
import TarmacHistory
import TarmacPipeline

/// What `run` and `approve` share: the history they write, running an execution in this
/// process, and handing it to a detached one.
enum PipelineExecution {
    /// The repository's history, for writing (created when missing); exit 1 when it cannot be opened.
    static func openStore(_ git: GitRepository) throws -> HistoryStore {
        try HistoryAccess.reading { try HistoryStore.open(repositoryRoot: git.root) }
    }

    /// Runs an execution in this process; `detached` when stderr already is its log. Exits
    /// with the contract's status for how it stands.
    static func run(_ id: String, repository: GitRepository, store: HistoryStore, detached: Bool) async throws {
        if !detached, let record = try store.execution(id)?.record {
            let log = FileHandle(forWritingAtPath: repository.root + "/" + record.logPath)
            _ = try? log?.seekToEnd()
            Console.copy(to: log)
        }
        Interrupt.install()
        let text = PipelineText()
        let context = PipelineContext(
            repository: repository, store: store, id: id, services: .commandLine(repository: repository.root),
            events: text.say)
        let outcome: PipelineRunOutcome
        do {
            outcome = try await PipelineRunner(context).run()
        } catch {
            // Git or the file system failed under the runner: the execution ends, saying why,
            // rather than waiting to be found with a dead runner.
            Console.say("error: \(error)")
            try? store.finishExecution(id, .failed, message: "\(error)")
            outcome = .ended(.failed)
        }
        Console.copy(to: nil)
        switch outcome {
        case .unknownExecution(let id):
            Console.say("error: no execution \(id) in this repository's history")
            throw ExitCode(Exit.invalidInput)
        case .ended(let state):
            let status = exitStatus(state)
            if status != 0 { throw ExitCode(status) }
        }
    }

    /// Hands the execution to a detached tarmac and makes that process its runner.
    static func startInBackground(_ id: String, repository: GitRepository, store: HistoryStore) throws {
        do {
            try ExecutionLauncher.startInBackground(
                id, repository: repository, store: store,
                arguments: ["run", "--execution", id, "--detached", "-C", repository.root])
        } catch let error as SpawnError {
            Console.say("error: \(error)")
            throw ExitCode(Exit.failed)
        }
    }

    /// The contract's exit status for how an execution stands.
    static func exitStatus(_ state: ExecutionState) -> Int32 {
        switch state {
        case .failed, .rejected: Exit.failed
        case .stopped: Exit.interrupted
        default: 0
        }
    }
}
