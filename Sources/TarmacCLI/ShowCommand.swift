import ArgumentParser
import Foundation
import TarmacHistory

/// `tarmac show`: one deployment, per host and per lifecycle event.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one deployment: every host and lifecycle event, with status and timings.",
        discussion: """
            Per host: its address, status and whether Install completed there; per lifecycle \
            event: status, duration, exit code and what went wrong. Ids come from \
            `tarmac history`. Exit 2 when the id is not in this repository's history.

            Examples:
              tarmac show d-7K2Q9M4XA
              tarmac show d-7K2Q9M4XA --json | jq '.hosts[] | {name, status}'
            """)

    @Argument(help: ArgumentHelp("The deployment id (d-…).", valueName: "id"))
    var id: String

    @OptionGroup var repository: RepositoryOptions

    @Flag(help: "Print one JSON object on stdout instead of the report.")
    var json = false

    func run() async throws {
        let (_, detail) = try await HistoryAccess.deployment(id, repository)
        if json {
            Console.json(try HistoryJSON.show(detail))
        } else {
            Console.result(HistoryText.detail(detail, now: Date()))
        }
    }
}
