import Foundation
import TarmacCore

/// `tarmac show ID --json` (with `hosts`) and one item of `tarmac history --json` (without),
/// field names exactly as the contract (design.md) spells them.
public struct DeploymentView: Codable, Sendable, Equatable {
    /// One host of `show --json`: the recorded host as it is.
    public typealias Host = DeploymentHost

    public var id: String
    /// `deployment` here; `execution` once pipeline runs are recorded.
    public var kind: String
    public var status: DeploymentStatus
    public var group: String
    public var application: String
    public var revision: String
    public var commit: String?
    public var bundleSHA256: String
    public var config: String
    public var creator: DeploymentCreator
    public var rollbackOf: String?
    public var executionID: String?
    /// The deployment this one retries (`deploy --retry`).
    public var retryOf: String?
    /// Who deployed outside the group's window with `--outside-window`.
    public var windowOverriddenBy: String?
    public var message: String?
    public var startedAt: Date
    /// Null (not omitted) while the deployment runs.
    public var finishedAt: Date?
    public var hostsSucceeded: Int
    public var hostsTotal: Int
    public var hosts: [Host]?
    /// `show --json` of a health-gated deployment: each bake with its rounds.
    public var bakes: [BakeView]?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, group, application, revision, commit
        case bundleSHA256 = "bundle_sha256"
        case config, creator
        case rollbackOf = "rollback_of"
        case executionID = "execution_id"
        case retryOf = "retry_of"
        case windowOverriddenBy = "window_overridden_by"
        case message
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case hostsSucceeded = "hosts_succeeded"
        case hostsTotal = "hosts_total"
        case hosts, bakes
    }

    /// The `show --json` object: the deployment with every host and event.
    public init(_ detail: DeploymentDetail) {
        let succeeded = detail.hosts.filter { $0.status == .succeeded }.count
        self.init(detail.record, hostsSucceeded: succeeded, hostsTotal: detail.hosts.count)
        hosts = detail.hosts
        bakes = detail.bakes.isEmpty ? nil : detail.bakes.map(BakeView.init)
    }

    /// One `history --json` item: no `hosts`, only their counts.
    public init(_ summary: DeploymentSummary) {
        self.init(summary.record, hostsSucceeded: summary.hostsSucceeded, hostsTotal: summary.hostsTotal)
    }

    private init(_ record: DeploymentRecord, hostsSucceeded: Int, hostsTotal: Int) {
        id = record.id
        kind = "deployment"
        status = record.status
        group = record.group
        application = record.application
        revision = record.revision
        commit = record.commit
        bundleSHA256 = record.bundleSHA256
        config = record.configName
        creator = record.creator
        rollbackOf = record.rollbackOf
        executionID = record.executionID
        retryOf = record.retryOf
        windowOverriddenBy = record.windowOverriddenBy
        message = record.message
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        self.hostsSucceeded = hostsSucceeded
        self.hostsTotal = hostsTotal
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(status, forKey: .status)
        try container.encode(group, forKey: .group)
        try container.encode(application, forKey: .application)
        try container.encode(revision, forKey: .revision)
        try container.encodeIfPresent(commit, forKey: .commit)
        try container.encode(bundleSHA256, forKey: .bundleSHA256)
        try container.encode(config, forKey: .config)
        try container.encode(creator, forKey: .creator)
        try container.encodeIfPresent(rollbackOf, forKey: .rollbackOf)
        try container.encodeIfPresent(executionID, forKey: .executionID)
        try container.encodeIfPresent(retryOf, forKey: .retryOf)
        try container.encodeIfPresent(windowOverriddenBy, forKey: .windowOverriddenBy)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(hostsSucceeded, forKey: .hostsSucceeded)
        try container.encode(hostsTotal, forKey: .hostsTotal)
        try container.encodeIfPresent(hosts, forKey: .hosts)
        try container.encodeIfPresent(bakes, forKey: .bakes)
    }
}
