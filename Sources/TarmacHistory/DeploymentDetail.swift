import Foundation
import TarmacCore

/// One host of a recorded deployment, with its lifecycle events in order; as JSON, one host
/// of `show --json` (`{name, address, status, installed, message?, transfer?, events}`).
public struct DeploymentHost: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    public var status: DeploymentStatus
    /// True once Install completed on the host (it runs the deployment's revision).
    public var installed: Bool
    public var message: String?
    /// What DownloadBundle sent the host (a delta or the full bundle, and why); nil when it
    /// did not run, or the deployment predates the record.
    public var transfer: Transfer?
    public var events: [EventResult]

    /// A host as read back from the history.
    public init(
        name: String, address: String, status: DeploymentStatus, installed: Bool = false, message: String? = nil,
        transfer: Transfer? = nil, events: [EventResult] = []
    ) {
        self.name = name
        self.address = address
        self.status = status
        self.installed = installed
        self.message = message
        self.transfer = transfer
        self.events = events
    }
}

/// A deployment with every host and event: what `tarmac show` prints.
public struct DeploymentDetail: Sendable, Equatable {
    public var record: DeploymentRecord
    /// In the order the deployment was given them.
    public var hosts: [DeploymentHost]
    /// Its bakes and their check rounds (issue 14); empty without zones or bakes.
    public var bakes: [BakeRecord] = []
}

/// A deployment and how many of its hosts succeeded: one line of `tarmac history`.
public struct DeploymentSummary: Sendable, Equatable {
    public var record: DeploymentRecord
    public var hostsSucceeded: Int
    public var hostsTotal: Int
    /// How many bakes it had (issue 14), and whether one runs now.
    public var bakes = 0
    public var baking = false
}

/// The revision a host last completed Install for: what runs there now.
public struct HostRevision: Sendable, Equatable {
    public var host: String
    public var address: String
    public var revision: String
    public var commit: String?
    /// The deployment that installed it.
    public var deploymentID: String
    public var installedAt: Date?
}
