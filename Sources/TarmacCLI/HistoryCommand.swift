import ArgumentParser
import Foundation
import TarmacHistory

/// `tarmac history`: what runs where, pending approvals, past deployments and executions.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show what runs where, and list past deployments and executions, newest first.",
        discussion: """
            First, per group, which revision each host has (the one whose Install completed \
            there last), and the pipeline executions waiting for an approval with the commit \
            each is for. Then one line per deployment (d-…) or pipeline execution (e-…): its \
            id, status, deployment group(s), revision, when it started, how long it took, and \
            how many hosts (or stages) succeeded. The history lives in .tarmac/state.db of the \
            repository; `tarmac show ID` gives the detail of one, `tarmac logs ID` its output.

            Examples:
              tarmac history
              tarmac history --group production --limit 5
              tarmac history --json | jq -r '.[0].id'
            """)

    @OptionGroup var repository: RepositoryOptions

    @Option(help: ArgumentHelp("Only deployments and executions to this deployment group.", valueName: "group"))
    var group: String?

    @Option(help: "Show at most this many deployments, and this many executions.")
    var limit = 20

    @Flag(help: "Print a JSON list on stdout instead of the table.")
    var json = false

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        guard let store = try await HistoryAccess.open(repository) else {
            if json { Console.json(try HistoryJSON.history([])) } else { Console.result("no deployments yet") }
            return
        }
        _ = try HistoryAccess.reading { try store.sweepInterruptedExecutions() }
        let summaries = try HistoryAccess.reading { try store.deployments(group: group, limit: limit) }
        let executions = try HistoryAccess.reading { try store.executions(group: group, limit: limit) }
        if json {
            Console.json(try HistoryJSON.history(summaries, executions: executions))
            return
        }
        guard !summaries.isEmpty || !executions.isEmpty else {
            Console.result(group.map { "no deployments to \($0) yet" } ?? "no deployments yet")
            return
        }
        let groups = try group.map { [$0] } ?? HistoryAccess.reading { try store.deployedGroups() }
        let current = try groups.map { name in
            (group: name, hosts: try HistoryAccess.reading { try store.currentRevisions(group: name) })
        }
        let header =
            ExecutionText.current(current) + ExecutionText.waiting(executions)
            + ExecutionText.waitingForWindow(executions)
        if !header.isEmpty { Console.result(header.joined(separator: "\n") + "\n") }
        Console.result(HistoryText.table(summaries, executions: executions, now: Date()))
    }
}
