import ArgumentParser
import TarmacCore
import TarmacEngine

/// The group a command names and the deployment configuration it runs with, from tarmac.yml.
struct GroupSelection {
    var group: DeploymentGroup
    var config: DeploymentConfig

    /// Resolves `name` (and `--config`), or prints what exists and exits 2.
    static func resolve(_ project: ProjectContext, group name: String, config override: String?) throws
        -> GroupSelection
    {
        try project.requireValidConfig()
        guard let config = project.config else {
            Console.say("error: \(project.repository.root)/tarmac.yml is missing; groups are defined there")
            throw ExitCode(Exit.invalidInput)
        }
        guard let group = config.group(named: name) else {
            let known = config.groups.map(\.name).joined(separator: ", ")
            Console.say(
                "error: tarmac.yml has no group \(Quote.text(name))"
                    + (known.isEmpty ? "; it defines none" : "; its groups: \(known)"))
            throw ExitCode(Exit.invalidInput)
        }
        guard let override else { return GroupSelection(group: group, config: group.config) }
        guard
            let chosen = DeploymentConfig.predefined(named: override)
                ?? config.deploymentConfigs.first(where: { $0.name == override })
        else {
            let names = (DeploymentConfig.predefined + config.deploymentConfigs).map(\.name).joined(separator: ", ")
            Console.say("error: no deployment configuration \(Quote.text(override)); known: \(names)")
            throw ExitCode(Exit.invalidInput)
        }
        return GroupSelection(group: group, config: chosen)
    }

    /// The start check (spec §6.2): exit 2 with the arithmetic when no host may go offline.
    func rollout(health: [RolloutHost.Health]) throws -> Rollout {
        switch Rollout.plan(config: config, hosts: health.map { RolloutHost(health: $0) }) {
        case .success(let rollout): return rollout
        case .failure(let failure):
            Console.say("error: group \(group.name): \(failure)")
            Console.say("no host was contacted")
            throw ExitCode(Exit.invalidInput)
        }
    }

    /// The events every host runs: with traffic control, all thirteen.
    var events: [String] {
        group.traffic == nil
            ? LifecycleSequence.defaultEvents(trafficHooks: false) : LifecycleEvent.allCases.map(\.rawValue)
    }
}
