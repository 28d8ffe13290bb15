import ArgumentParser
import Foundation
import TarmacCore
import TarmacHistory

/// `tarmac logs`: the hook output of one deployment, or the log of one execution.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the hook output of a deployment, or the log of a pipeline execution.",
        discussion: """
            For a deployment (d-…): one line per line a hook wrote, in the order they \
            arrived: time (UTC), host, lifecycle event, stream (stdout or stderr) and the text. \
            For an execution (e-…): its log, .tarmac/logs/<id>.log — the stages, the build \
            commands' output, every finding that failed it, and its deployments' progress. \
            Exit 2 when the id is not in this repository's history, or the deployment has no \
            such host or event.

            Examples:
              tarmac logs d-7K2Q9M4XA
              tarmac logs d-7K2Q9M4XA --host web2 --event ValidateService
              tarmac logs e-4ZP0Q7W1C
            """)

    @Argument(help: ArgumentHelp("The deployment (d-…) or execution (e-…) id.", valueName: "id"))
    var id: String

    @OptionGroup var repository: RepositoryOptions

    @Option(help: ArgumentHelp("Only this host's output.", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Only this lifecycle event's output.", valueName: "event"))
    var event: String?

    func run() async throws {
        if id.hasPrefix("e-") { return try await executionLog() }
        let (store, detail) = try await HistoryAccess.deployment(id, repository)
        try check(detail)
        let lines = try HistoryAccess.reading { try store.output(id, host: host, event: event) }
        if lines.isEmpty { Console.say("no hook output recorded for \(id)") }
        for line in lines { Console.result(HistoryText.logLine(line)) }
    }

    /// A host or event the deployment never had is a typo, not an empty log.
    private func check(_ detail: DeploymentDetail) throws {
        let hosts = detail.hosts.map(\.name)
        if let host, !hosts.contains(host) {
            Console.say("error: deployment \(id) has no host \(host); its hosts: \(hosts.joined(separator: ", "))")
            throw ExitCode(Exit.invalidInput)
        }
        let events = detail.hosts.flatMap { $0.events.map(\.name) }
        if let event, !events.contains(event) {
            let known = events.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            Console.say(
                "error: deployment \(id) ran no event \(event); its events: \(known.joined(separator: ", "))")
            throw ExitCode(Exit.invalidInput)
        }
    }

    /// An execution's log file as it stands, then where its deployments' hook output is.
    private func executionLog() async throws {
        guard host == nil && event == nil else {
            Console.say("error: --host and --event select a deployment's hook output; give a d-… id")
            throw ExitCode(Exit.invalidInput)
        }
        let (_, detail) = try await HistoryAccess.execution(id, repository)
        let project = try await ProjectContext.load(repository)
        let path = project.repository.root + "/" + detail.record.logPath
        guard let data = FileManager.default.contents(atPath: path) else {
            Console.say("error: the log of \(id) is gone (\(detail.record.logPath))")
            throw ExitCode(Exit.failed)
        }
        // The file keeps the exact bytes; the terminal gets its control characters as text.
        FileHandle.standardOutput.write(Data(VisibleText.escape(String(decoding: data, as: UTF8.self)).utf8))
        for stage in detail.stages {
            if let deployment = stage.deploymentID {
                Console.say("hook output of deploy \(stage.name): tarmac logs \(deployment)")
            }
        }
    }
}
