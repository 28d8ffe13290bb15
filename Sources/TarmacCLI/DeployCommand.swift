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

            A group with a window (window: { cron: "* 9-16 * * MON-FRI", timezone: Europe/Berlin } \
            in tarmac.yml) is deployed only while the window is open: outside it, deploy exits 2 \
            before any host is contacted and says when the window next opens (in its time zone and \
            in UTC). --outside-window deploys anyway; the history records who did.

            --retry d-ID deploys d-ID's bundle again (the file kept in .tarmac/artifacts/, refused \
            unless its SHA-256 is the one d-ID recorded) to only the hosts that failed, were skipped \
            or were stopped in d-ID. It is a new deployment; show and history --json link it to d-ID.

            Examples:
              tarmac deploy staging
              tarmac deploy production --rev v1.4.0 --config OneAtATime
              tarmac deploy production --bundle /media/usb/docs-site.tar.gz --json
              tarmac deploy production --outside-window
              tarmac deploy production --retry d-7K2M9Q4XZ
            """)

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var target: TargetOptions

    @Flag(
        name: .customLong("ignore-application-stop-failures"),
        help: "Go on when ApplicationStop (or a block-traffic hook) of the earlier revision fails.")
    var ignoreStopFailures = false

    @Flag(help: "Print progress as JSON lines on stdout, the result as the last line.")
    var json = false

    @Flag(
        name: .customLong("outside-window"),
        help: "Deploy even when the group's window is closed (the history records who did).")
    var outsideWindow = false

    @Option(
        help: ArgumentHelp(
            "Redeploy this deployment's bundle to only its hosts that failed or were skipped.",
            valueName: "deployment-id"))
    var retry: String?

    func validate() throws {
        if retry != nil && (target.rev != nil || target.bundle != nil) {
            throw ValidationError(
                "--retry deploys the retried deployment's bundle; it cannot be combined with --rev or --bundle")
        }
    }

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let selection = try GroupSelection.resolve(project, group: target.group, config: target.config)
        var order = project.order(
            selection, rev: target.rev, bundle: target.bundle,
            ignoreStopFailures: ignoreStopFailures || selection.group.ignoreApplicationStopFailures)
        order.deltas = !target.noDelta
        order.windowPolicy = outsideWindow ? .overridden(by: Approver.name, .system) : .enforce(.system)
        let services = DeploymentServices.commandLine(repository: project.repository.root)
        let console = DeployConsole(json: json)
        if let retry {
            do {
                order = try Retry.order(order, retrying: retry, services: services)
            } catch let refusal as DeploymentRefusal {
                try DeploymentOutcome.refused(refusal).exit()
            }
        }
        let outcome = try await GroupDeployer(order: order, services: services, events: console.render).deploy()
        if case .finished(let deployment) = outcome {
            await Rollback.automatic(after: deployment, order: order, services: services, events: console.render)
        }
        try outcome.exit()
    }
}
