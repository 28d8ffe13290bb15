import TarmacCore

/// What a group deployment records and reads back: declared here, implemented by the
/// history (`.tarmac/state.db`), so the history depends on the core types only.
///
/// A deployment begins, its hosts' events and output arrive, each host ends, the deployment
/// finishes. Before it begins, the journal ends the deployments whose process died and
/// says which ones of this group ended so (their host locks may be taken back), and it
/// gives each host's last attempt and installed revision, the order's health classes.
public protocol DeploymentJournal: Sendable {
    /// Ends the deployments left `InProgress` by a process that no longer runs.
    func endInterruptedDeployments() throws
    /// The group's deployments that ended because their process died.
    func interruptedDeployments(group: String) throws -> Set<String>
    /// Each host's status in its latest deployment of the group that reached it.
    func lastAttempts(group: String) throws -> [String: DeploymentStatus]
    /// Each host's revision from its latest deployment of the group that completed Install.
    func installedRevisions(group: String) throws -> [String: String]
    /// One recorded deployment, nil when there is none with this id.
    func deploymentRecord(_ id: String) throws -> DeploymentRecord?
    /// The hosts a recorded deployment targeted and how each ended, in its order (for `--retry`).
    func hostStatuses(deploymentID: String) throws -> [(name: String, status: DeploymentStatus)]
    /// The group's last successful deployment (what a rollback returns to).
    func lastSuccessful(group: String) throws -> DeploymentRecord?

    /// Stores the deployment and its hosts as `InProgress`.
    func recordStart(_ record: DeploymentRecord, hosts: [HostTarget]) throws
    func recordEvent(deploymentID: String, host: String, _ event: EventResult) throws
    func appendOutput(deploymentID: String, _ lines: [OutputLine]) throws
    /// A host's end: its status, whether Install completed, why it ended so, what it was sent.
    func updateHost(
        deploymentID: String, host: String, status: DeploymentStatus, installed: Bool?, message: String?,
        transfer: Transfer?) throws
    func finish(_ deploymentID: String, status: DeploymentStatus, message: String?) throws
    /// Stores a bake (issue 14) as it starts, and again as it ends.
    func recordBake(deploymentID: String, _ bake: BakeRecord) throws
    /// Stores one check round of the bake numbered `bake`.
    func recordCheckRound(deploymentID: String, bake: Int, _ round: CheckRoundRecord) throws
}

extension DeploymentJournal {
    /// Each target's health class (spec §6.2 order) for a deployment of `revision`: a host
    /// whose last attempt failed first, then those without it, those on it last.
    public func health(group: String, hosts: [String], revision: String) throws -> [RolloutHost.Health] {
        let attempts = try lastAttempts(group: group)
        let installed = try installedRevisions(group: group)
        return hosts.map { host in
            if attempts[host] == .failed { return .unhealthy }
            guard let current = installed[host] else { return .unknown }
            return current == revision ? .current : .outdated
        }
    }
}
