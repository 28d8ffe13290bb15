import ArgumentParser
import Foundation
import TarmacHistory

/// `tarmac history`: past deployments, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List past deployments, newest first.",
        discussion: """
            One line per deployment: its id, status, deployment group, revision, when it \
            started, how long it took and how many hosts succeeded. The history lives in \
            .tarmac/state.db of the repository; `tarmac show ID` gives the detail of one \
            deployment and `tarmac logs ID` its hook output.

            Examples:
              tarmac history
              tarmac history --group production --limit 5
              tarmac history --json | jq -r '.[0].id'
            """)

    @OptionGroup var repository: RepositoryOptions

    @Option(help: ArgumentHelp("Only deployments to this deployment group.", valueName: "group"))
    var group: String?

    @Option(help: "Show at most this many deployments.")
    var limit = 20

    @Flag(help: "Print a JSON list on stdout instead of the table.")
    var json = false

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let summaries =
            try await HistoryAccess.open(repository).map { store in
                try HistoryAccess.reading { try store.deployments(group: group, limit: limit) }
            } ?? []
        if json {
            Console.json(try HistoryJSON.history(summaries))
        } else if summaries.isEmpty {
            Console.result(group.map { "no deployments to \($0) yet" } ?? "no deployments yet")
        } else {
            Console.result(HistoryText.table(summaries, now: Date()))
        }
    }
}
