import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory

/// `tarmac rollback`: redeploy a group's last good revision as a new deployment.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Redeploy the group's last successful revision (or a named deployment's) as a new deployment.",
        discussion: """
            Nothing is restored in place: the earlier bundle (kept in .tarmac/artifacts/) is deployed \
            again with the same lifecycle, so ApplicationStop runs the scripts of whatever each host \
            installed last, and Install removes what the failed revision created. The rollback uses \
            the file_exists_behavior of the deployment it returns to.

            Examples:
              tarmac rollback production
              tarmac rollback production --to d-7K2M9Q4XZ
            """)

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: ArgumentHelp("The deployment group, as named in tarmac.yml.", valueName: "group"))
    var group: String

    @Option(help: ArgumentHelp("The deployment whose revision to redeploy.", valueName: "deployment-id"))
    var to: String?

    @Option(help: ArgumentHelp("A deployment configuration for the rollback.", valueName: "name"))
    var config: String?

    @Flag(
        name: .customLong("ignore-application-stop-failures"),
        help: "Go on when ApplicationStop of the revision being replaced fails (a broken stop script).")
    var ignoreStopFailures = false

    @Flag(help: "Print progress as JSON lines on stdout, the result as the last line.")
    var json = false

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let selection = try GroupSelection.resolve(project, group: group, config: config)
        let path = HistoryStore.databasePath(repositoryRoot: project.repository.root)
        // A history that cannot be read is an error (exit 1), never "nothing to roll back to".
        let store =
            FileManager.default.fileExists(atPath: path)
            ? try HistoryAccess.reading { try HistoryStore(path: path) } : nil
        let good: DeploymentRecord
        do {
            good = try Rollback.target(store, group: group, id: to)
        } catch let refusal as DeploymentRefusal {
            return try DeploymentOutcome.refused(refusal).exit()
        }
        let order = project.order(
            selection, rev: nil, bundle: nil,
            ignoreStopFailures: ignoreStopFailures || selection.group.ignoreApplicationStopFailures)
        let console = DeployConsole(json: json)
        try await Rollback.run(
            order, good: good, of: nil, hosts: nil,
            services: .commandLine(repository: project.repository.root), events: console.render
        ).exit()
    }
}
