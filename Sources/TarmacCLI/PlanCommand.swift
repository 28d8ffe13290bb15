import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHistory

/// `tarmac plan`: what `deploy` would do, changing nothing on any host.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a deployment would do to each host of a group; change nothing.",
        discussion: """
            Builds (or takes) the bundle, checks the deployment configuration against the group, \
            then asks every host what it has: the files the install would add, change or remove \
            (compared by SHA-256), conflicts that would refuse it, and which revision's scripts \
            each lifecycle event would run. No lock is taken and nothing is written on a host.

            Exit 0 when every host could be planned cleanly; 1 when a host is unreachable or its \
            plan has problems; 2 for invalid input.

            Examples:
              tarmac plan staging
              tarmac plan production --rev v1.4.0 --json
            """)

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var target: TargetOptions

    @Flag(help: "Print the plan as one JSON object on stdout.")
    var json = false

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let selection = try GroupSelection.resolve(project, group: target.group, config: target.config)
        var order = project.order(selection, rev: target.rev, bundle: target.bundle, ignoreStopFailures: false)
        order.deltas = !target.noDelta
        let root = project.repository.root
        let work = try WorkDirectory.make(repository: root, isRunning: { HistoryStore.processIsRunning($0) })
        defer { WorkDirectory.remove(work) }
        var setup: DeploymentSetup
        do {
            setup = try await DeploymentSetup.prepare(order, work: work, events: DeployConsole(json: json).render)
            try setup.reorder(health: historyHealth(setup, repository: root))
        } catch let refusal as DeploymentRefusal {
            try DeploymentOutcome.refused(refusal).exit()
            return
        }
        let connections = try HostConnections.open(group: selection.group, hosts: order.targets, repository: root)
        let previews = await setup.previews(over: connections.transports)
        await connections.close()
        let report = PlanReport(
            request: setup.request, bundle: setup.bundle, config: selection.config, rollout: setup.rollout,
            hosts: zip(order.targets, previews).map { ($0.name, $0.address, $1) },
            window: WindowState(selection.group, now: WallClock.system.now()), gated: setup.gated)
        if json { Console.result(try report.json()) } else { report.print() }
        if previews.contains(where: { !$0.problems.isEmpty || $0.install == nil }) { throw ExitCode(Exit.failed) }
    }

    /// The hosts' health from the history, as `deploy` orders them; a history that cannot be
    /// read is said, and the order then assumes nothing about the hosts.
    private func historyHealth(_ setup: DeploymentSetup, repository: String) -> [RolloutHost.Health] {
        do {
            return try setup.health(from: HistoryStore.open(repositoryRoot: repository))
        } catch {
            Console.say("warning: the history cannot be read (\(error)); the order below treats every host as unknown")
            return setup.targets.map { _ in .unknown }
        }
    }
}
