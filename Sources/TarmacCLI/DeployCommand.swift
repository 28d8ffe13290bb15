import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHost

/// `tarmac deploy`: one bundle to every host of a group over SSH.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a revision to every host of a deployment group over SSH.",
        discussion: """
            The revision (default HEAD) is bundled, verified and validated first; then every \
            host is connected, its key checked against known_hosts, locked, probed and planned, \
            and sent the bundle (DownloadBundle runs on every host before the first batch). \
            The lifecycle then runs on the hosts in the order and batches of the deployment \
            configuration: AllAtOnce, HalfAtATime, OneAtATime, or a custom minimum-healthy-hosts \
            rule. An impossible configuration is refused before any host is contacted.

            When the deployment can no longer succeed, no further host is started; hosts in \
            flight finish their current event. With auto_rollback the group's last good \
            revision is then redeployed to the hosts that ran Install. Ctrl-C stops the same \
            way (exit 130); a second Ctrl-C ends tarmac at once, and the hooks it started stop too.

            Exit 0 success; 1 the deployment failed (every host's state is printed), or the \
            history (.tarmac/state.db) cannot record it — then no host is contacted; 2 invalid \
            tarmac.yml, AppSpec, bundle or configuration — no host was changed. A host whose \
            deployment root is owned or writable by another user fails before any event.

            Examples:
              tarmac deploy staging
              tarmac deploy production --rev v1.4.0 --config OneAtATime
              tarmac deploy production --bundle /media/usb/docs-site.tar.gz --json
            """)

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var target: TargetOptions

    @Flag(
        name: .customLong("ignore-application-stop-failures"),
        help: "Go on when ApplicationStop (or a block-traffic hook) of the earlier revision fails.")
    var ignoreStopFailures = false

    @Flag(help: "Print progress as JSON lines on stdout, the result as the last line.")
    var json = false

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let selection = try GroupSelection.resolve(project, group: target.group, config: target.config)
        let order = project.order(
            selection, rev: target.rev, bundle: target.bundle,
            ignoreStopFailures: ignoreStopFailures || selection.group.ignoreApplicationStopFailures)
        let services = DeploymentServices.commandLine(repository: project.repository.root)
        let console = DeployConsole(json: json)
        let outcome = try await GroupDeployer(order: order, services: services, events: console.render).deploy()
        if case .finished(let deployment) = outcome {
            await Rollback.automatic(after: deployment, order: order, services: services, events: console.render)
        }
        try outcome.exit()
    }
}
