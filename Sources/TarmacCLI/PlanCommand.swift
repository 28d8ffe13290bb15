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
        let deployer = GroupDeployer(project: project, options: GroupDeployer.Options(selection: selection, json: json))
        // The start check, before anything is built; the order comes from the history below.
        _ = try selection.rollout(health: deployer.targets.map { _ in .unknown })
        let work = try GroupDeployer.makeWorkDirectory(repository: project.repository.root)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let bundle = try await DeployBundle.prepare(
            project: project, rev: target.rev, given: target.bundle, work: work,
            maxUnpackedSize: selection.group.maxUnpackedSize)
        let request = deployer.makeRequest(bundle: bundle, spec: try RequestParts.appspec(of: bundle.staged))
        let rollout = try selection.rollout(health: historyHealth(deployer, revision: bundle.revision))
        let connections = try HostConnections(
            group: selection.group, hosts: deployer.targets, repository: project.repository.root)
        let previews = await withTaskGroup(of: (Int, HostPreview).self) { tasks in
            for (index, transport) in connections.transports.enumerated() {
                tasks.addTask { (index, await HostDeployment(transport: transport).preview(request)) }
            }
            var all = [HostPreview?](repeating: nil, count: connections.transports.count)
            for await (index, preview) in tasks { all[index] = preview }
            return all.map { $0! }
        }
        await connections.close()
        let report = PlanReport(
            request: request, bundle: bundle, config: selection.config, rollout: rollout,
            hosts: zip(deployer.targets, previews).map { ($0.name, $0.address, $1) })
        if json { Console.result(try report.json()) } else { report.print() }
        if previews.contains(where: { !$0.problems.isEmpty || $0.install == nil }) { throw ExitCode(Exit.failed) }
    }

    /// The hosts' health from the history, as `deploy` orders them; a history that cannot be
    /// read is said, and the order then assumes nothing about the hosts.
    private func historyHealth(_ deployer: GroupDeployer, revision: String) -> [RolloutHost.Health] {
        do {
            let store = try HistoryStore.open(repositoryRoot: deployer.project.repository.root)
            return try deployer.health(store, revision: revision)
        } catch {
            Console.say("warning: the history cannot be read (\(error)); the order below treats every host as unknown")
            return deployer.targets.map { _ in .unknown }
        }
    }
}
