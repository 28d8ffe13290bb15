import ArgumentParser
import Foundation
import TarmacCore
import TarmacHistory

/// `tarmac approve`: lets an execution waiting at an approval stage go on.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve the stage an execution waits at, and run the rest of its pipeline.",
        discussion: """
            The execution goes on with the stage after the approval, in this process (or \
            detached with --background), once it is its turn. `tarmac history` lists the \
            executions waiting for an approval with the commit each is for. In QUEUED mode an \
            execution cannot pass an older one still waiting at the same approval: answer the \
            older first. Exit 2 when the execution is not waiting for an approval.

            Examples:
              tarmac approve e-4ZP0Q7W1C
              tarmac approve e-4ZP0Q7W1C --background
            """)

    @Argument(help: ArgumentHelp("The execution id (e-…).", valueName: "execution-id"))
    var id: String

    @OptionGroup var repository: RepositoryOptions

    @Flag(help: "Run the rest of the pipeline detached; its output goes to the execution's log.")
    var background = false

    func run() async throws {
        let git = try await ProjectContext.repository(repository)
        let store = try PipelineExecution.openStore(git)
        let detail: ExecutionDetail
        do {
            detail = try store.approve(id, by: Approver.name, runner: .current)
        } catch let refusal as ApprovalRefusal {
            Console.say("error: \(refusal)")
            throw ExitCode(Exit.invalidInput)
        }
        let gate = detail.stages.first { $0.position == detail.record.nextStage - 1 }
        Console.say(
            "approved \(id) (\(gate.map { Quote.text($0.name) } ?? "approval")) for \(detail.record.commit.prefix(12))"
                + (detail.record.subject.map { " \(Quote.text($0))" } ?? ""))
        if background {
            try PipelineExecution.startInBackground(id, repository: git, store: store)
            Console.say("  the rest runs in the background; log: \(detail.record.logPath)")
        } else {
            try await PipelineExecution.run(id, repository: git, store: store, detached: false)
        }
    }
}

/// `tarmac reject`: ends an execution waiting at an approval stage.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject the stage an execution waits at; the execution ends as Failed.",
        discussion: """
            Nothing more is deployed by that execution; the stages after the approval never \
            run. Exit 2 when the execution is not waiting for an approval.

            Examples:
              tarmac reject e-4ZP0Q7W1C --reason "release notes missing"
            """)

    @Argument(help: ArgumentHelp("The execution id (e-…).", valueName: "execution-id"))
    var id: String

    @OptionGroup var repository: RepositoryOptions

    @Option(help: ArgumentHelp("Why; kept in the history.", valueName: "text"))
    var reason: String?

    func run() async throws {
        let git = try await ProjectContext.repository(repository)
        let store = try PipelineExecution.openStore(git)
        do {
            let detail = try store.reject(id, by: Approver.name, reason: reason)
            Console.say("rejected \(id) for \(detail.record.commit.prefix(12)): \(detail.record.message ?? "")")
        } catch let refusal as ApprovalRefusal {
            Console.say("error: \(refusal)")
            throw ExitCode(Exit.invalidInput)
        }
    }
}

/// Who answers an approval: the login name.
enum Approver {
    static var name: String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        guard let entry = getpwuid(getuid()) else { return "uid \(getuid())" }
        return String(cString: entry.pointee.pw_name)
    }
}
