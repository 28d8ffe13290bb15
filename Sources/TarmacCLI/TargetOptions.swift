import ArgumentParser
import TarmacCore
import TarmacDeploy
import TarmacEngine

/// What `deploy` and `plan` take: the group, which revision, and the configuration.
struct TargetOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The deployment group, as named in tarmac.yml.", valueName: "group"))
    var group: String

    @Option(help: ArgumentHelp("The commit: a branch, tag or commit id (default HEAD).", valueName: "rev"))
    var rev: String?

    @Option(help: ArgumentHelp("Use this bundle file instead of building one.", valueName: "path"))
    var bundle: String?

    @Option(
        help: ArgumentHelp(
            "A deployment configuration: AllAtOnce, HalfAtATime, OneAtATime or one of deployment_configs.",
            valueName: "name"))
    var config: String?

    @Flag(
        name: .customLong("no-delta"),
        help:
            "Send every host the full bundle; by default a host whose installed revision this build box bundled gets only the files that changed."
    )
    var noDelta = false

    func validate() throws {
        if rev != nil && bundle != nil { throw ValidationError("--rev and --bundle cannot be combined") }
    }
}

/// A group's hosts for the `hosts` commands: their connections and their layout on the host.
struct GroupHosts {
    var project: ProjectContext
    var group: DeploymentGroup
    var connections: HostConnections
    var layout: HostLayout

    static func load(_ repository: RepositoryOptions, group name: String) async throws -> GroupHosts {
        let project = try await ProjectContext.load(repository)
        let group = try GroupSelection.resolve(project, group: name, config: nil).group
        let connections = try HostConnections.open(
            group: group, hosts: group.hosts, repository: project.repository.root)
        let groupID = DeploymentGroupID.make(application: project.application, group: group.name)
        return GroupHosts(
            project: project, group: group, connections: connections,
            layout: HostLayout(root: group.deploymentRoot, groupID: groupID))
    }
}
