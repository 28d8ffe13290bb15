import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacGit
import TarmacHistory
import TarmacPipeline

extension ExecutionTrigger: ExpressibleByArgument {}

/// `tarmac run`: one execution of the pipeline of tarmac.yml for a commit.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline of tarmac.yml for a commit: source, build, deploy stages, approvals.",
        discussion: """
            An execution (e-…) takes the commit (default HEAD) and runs the pipeline as that \
            commit's own tarmac.yml defines it: the source stage checks tarmac.yml and the \
            AppSpec (an invalid one fails the execution before any host is touched); the build \
            stage, if any, runs pipeline.build.commands in a clean export of the commit in a \
            temporary directory — never in your working tree — and the bundle is made from its \
            bundle.root; then each deploy stage deploys that one bundle to its group, and an \
            approval stage pauses the execution until `tarmac approve` or `tarmac reject`.

            One execution runs at a time. The others wait their turn, oldest commit first \
            (pipeline.mode QUEUED), or — in SUPERSEDED mode — a waiting execution is replaced \
            as soon as a newer one catches up with it; a deployment in progress is never cut \
            short. Runs started by hand always run; runs started by the post-commit hook \
            (`tarmac hook install`) deploy only commits that pipeline.trigger selects, and \
            record the others as Skipped with the reason.

            --background starts the execution detached (its own session, stdin from \
            /dev/null, output in .tarmac/logs/<execution>.log), prints its id and returns at once.

            Exit 0: succeeded, waiting for an approval, skipped or superseded; 1 failed or \
            rejected; 2 invalid input (no such commit); 130 stopped with Ctrl-C.

            Examples:
              tarmac run
              tarmac run --rev v1.4.0
              tarmac run --background && tarmac history
            """)

    @OptionGroup var repository: RepositoryOptions

    @Option(help: ArgumentHelp("The commit to run: a branch, tag or commit id.", valueName: "rev"))
    var rev = "HEAD"

    @Flag(help: "Start the execution detached and return at once; its output goes to .tarmac/logs/<id>.log.")
    var background = false

    @Option(help: .hidden)
    var trigger = ExecutionTrigger.manual

    @Option(help: .hidden)
    var execution: String?

    @Flag(help: .hidden)
    var detached = false

    func run() async throws {
        let git = try await ProjectContext.repository(repository)
        let store = try PipelineExecution.openStore(git)
        if let execution {
            try await PipelineExecution.run(execution, repository: git, store: store, detached: detached)
            return
        }
        let record = try await newExecution(git, store: store)
        if background {
            try PipelineExecution.startInBackground(record.id, repository: git, store: store)
            Console.say(
                "execution \(record.id) started in the background for \(record.commit.prefix(12))"
                    + (record.subject.map { " \(Quote.text($0))" } ?? ""))
            Console.say("  log: \(record.logPath); progress: tarmac show \(record.id)")
            Console.result(record.id)
        } else {
            try await PipelineExecution.run(record.id, repository: git, store: store, detached: false)
        }
    }

    private func newExecution(_ git: GitRepository, store: HistoryStore) async throws -> ExecutionRecord {
        let commit: String
        do {
            commit = try await git.resolveCommit(rev)
        } catch {
            Console.say("error: \(rev) does not name a commit in \(git.root)")
            throw ExitCode(Exit.invalidInput)
        }
        let head = try? await git.resolveCommit("HEAD")
        let branch = commit == head ? try await git.currentBranch() : nil
        guard let project = try await PipelineProject.at(git, commit) else {
            Console.say(
                "error: commit \(commit.prefix(12)) has no tarmac.yml, so it has no pipeline to run; "
                    + "`tarmac init` writes one (commit it, then run again)")
            throw ExitCode(Exit.invalidInput)
        }
        let id = ExecutionID.make()
        let record = ExecutionRecord(
            id: id, application: project.application, commit: commit,
            subject: try? await git.subject(commit), branch: branch, trigger: trigger,
            logPath: ".tarmac/logs/\(id).log", runner: .current)
        try HistoryStore.privateDirectory(git.root + "/.tarmac")
        try HistoryStore.privateDirectory(git.root + "/.tarmac/logs")
        _ = FileManager.default.createFile(
            atPath: git.root + "/" + record.logPath, contents: nil, attributes: [.posixPermissions: 0o600])
        return try HistoryAccess.reading { try store.createExecution(record) }
    }
}
