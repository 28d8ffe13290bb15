import Foundation
import TarmacGit
import TarmacHistory

/// Hands an execution to a detached process (`tarmac run --execution …` for `run
/// --background` and `approve --background`) and records that process as its runner.
public enum ExecutionLauncher {
    /// Starts `arguments` of this binary detached, its output appended to the execution's log.
    /// When it cannot start, the execution ends Failed and the `SpawnError` is thrown.
    public static func startInBackground(
        _ id: String, repository: GitRepository, store: HistoryStore, arguments: [String]
    ) throws {
        guard let record = try store.execution(id)?.record else { return }
        do {
            let pid = try BackgroundProcess.start(arguments, log: repository.root + "/" + record.logPath)
            try store.setRunner(id, RunnerIdentity.of(pid) ?? RunnerIdentity(pid: pid, startTicks: 0))
        } catch let error as SpawnError {
            try store.finishExecution(id, .failed, message: error.description)
            throw error
        }
    }
}
