import ArgumentParser
import Foundation
import TarmacHistory

/// How the read commands (`history`, `show`, `logs`) reach the repository's history.
enum HistoryAccess {
    /// The repository's history, or nil when nothing was recorded yet (reading creates nothing).
    static func open(_ options: RepositoryOptions) async throws -> HistoryStore? {
        let project = try await ProjectContext.load(options)
        let path = HistoryStore.databasePath(repositoryRoot: project.repository.root)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try reading { try HistoryStore(path: path) }
    }

    /// One deployment with its hosts and events; an unknown id stops with exit 2.
    static func deployment(_ id: String, _ options: RepositoryOptions) async throws -> (HistoryStore, DeploymentDetail)
    {
        guard let store = try await open(options), let detail = try reading({ try store.deployment(id) }) else {
            Console.say("error: no deployment \(id) in this repository's history")
            Console.say("`tarmac history` lists the recorded deployments and their ids")
            throw ExitCode(Exit.invalidInput)
        }
        return (store, detail)
    }

    /// One execution with its stages (runners found dead are marked first); an unknown id stops with exit 2.
    static func execution(_ id: String, _ options: RepositoryOptions) async throws -> (HistoryStore, ExecutionDetail) {
        guard let store = try await open(options),
            let detail = try reading({
                try store.sweepInterruptedExecutions()
                return try store.execution(id)
            })
        else {
            Console.say("error: no execution \(id) in this repository's history")
            Console.say("`tarmac history` lists the recorded executions and their ids")
            throw ExitCode(Exit.invalidInput)
        }
        return (store, detail)
    }

    /// Runs a history read; a database that cannot be read is a failure (exit 1) naming the file.
    static func reading<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as HistoryError {
            Console.say("error: \(error)")
            throw ExitCode(Exit.failed)
        }
    }
}
