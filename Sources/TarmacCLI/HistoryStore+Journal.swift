import TarmacCore
import TarmacDeploy
import TarmacHistory

/// The history is the deployments' journal: TarmacDeploy declares what it records and reads,
/// TarmacHistory stores it, and the command line, which chooses the store, joins the two.
extension HistoryStore: DeploymentJournal {
    public func endInterruptedDeployments() throws {
        try markInterrupted()
    }

    public func installedRevisions(group: String) throws -> [String: String] {
        Dictionary(try currentRevisions(group: group).map { ($0.host, $0.revision) }, uniquingKeysWith: { a, _ in a })
    }

    public func deploymentRecord(_ id: String) throws -> DeploymentRecord? {
        try deployment(id)?.record
    }

    public func hostStatuses(deploymentID: String) throws -> [(name: String, status: DeploymentStatus)] {
        try deployment(deploymentID)?.hosts.map { ($0.name, $0.status) } ?? []
    }

    public func recordStart(_ record: DeploymentRecord, hosts: [HostTarget]) throws {
        try begin(record, hosts: hosts)
    }
}
