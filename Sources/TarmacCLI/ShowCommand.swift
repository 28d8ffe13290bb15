import ArgumentParser
import Foundation
import TarmacHistory

/// `tarmac show`: one deployment (per host and lifecycle event) or one execution (per stage).
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one deployment or pipeline execution, with status and timings.",
        discussion: """
            A deployment (d-…): per host, its address, status and whether Install completed \
            there; per lifecycle event, status, duration, exit code and what went wrong. \
            An execution (e-…): its commit, state and stages — source, build, deploy (with the \
            deployment each ran) and approval (with who answered) — and why it failed or \
            what it waits for. Ids come from `tarmac history`. Exit 2 when the id is not in \
            this repository's history.

            Examples:
              tarmac show d-7K2Q9M4XA
              tarmac show d-7K2Q9M4XA --json | jq '.hosts[] | {name, status}'
              tarmac show e-4ZP0Q7W1C --json | jq '.stages[] | {name, status}'
            """)

    @Argument(help: ArgumentHelp("The deployment (d-…) or execution (e-…) id.", valueName: "id"))
    var id: String

    @OptionGroup var repository: RepositoryOptions

    @Flag(help: "Print one JSON object on stdout instead of the report.")
    var json = false

    func run() async throws {
        if id.hasPrefix("e-") {
            let (_, detail) = try await HistoryAccess.execution(id, repository)
            Console.result(
                json
                    ? String(decoding: try HistoryJSON.show(detail), as: UTF8.self)
                    : ExecutionText.detail(detail, now: Date()))
            return
        }
        let (_, detail) = try await HistoryAccess.deployment(id, repository)
        if json {
            Console.json(try HistoryJSON.show(detail))
        } else {
            Console.result(HistoryText.detail(detail, now: Date()))
        }
    }
}
