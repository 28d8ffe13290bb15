import ArgumentParser
import TarmacCore
import TarmacDeploy

extension GroupSelection {
    /// Resolves `name` (and `--config`) in tarmac.yml, or prints what exists and exits 2.
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
}
