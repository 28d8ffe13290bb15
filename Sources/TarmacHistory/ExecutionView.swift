import Foundation
import TarmacCore

/// The JSON of one execution for `show --json` (with `stages`) and `history --json` (without):
/// the contract fields (`id`, `kind`, `status`, `group`, `revision`, `bundle_sha256`,
/// `started_at`, `finished_at`) and what a pipeline adds. `group` is null: an execution
/// deploys to every group in `groups`, one stage each.
public struct ExecutionView: Encodable, Sendable, Equatable {
    public var id: String
    public var kind = "execution"
    public var status: String
    /// The finer state: Pending, Queued, Running, AwaitingApproval, Superseded, Rejected, …
    public var state: ExecutionState
    public var groups: [String]
    public var application: String
    /// The bundle's revision once built, else the commit.
    public var revision: String
    public var commit: String
    public var subject: String?
    public var branch: String?
    public var trigger: ExecutionTrigger
    public var mode: Pipeline.Mode
    public var bundleSHA256: String?
    public var message: String?
    /// The stage it runs or waits at.
    public var currentStage: Int?
    public var log: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var stages: [StageRecord]?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, state, group, groups, application, revision, commit, subject, branch, trigger, mode
        case bundleSHA256 = "bundle_sha256"
        case message
        case currentStage = "current_stage"
        case log
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case stages
    }

    /// The view of `detail`; `withStages` for `show`.
    public init(_ detail: ExecutionDetail, withStages: Bool) {
        let record = detail.record
        id = record.id
        status = record.state.status
        state = record.state
        groups = detail.groups
        application = record.application
        revision = record.revision ?? record.commit
        commit = record.commit
        subject = record.subject
        branch = record.branch
        trigger = record.trigger
        mode = record.mode
        bundleSHA256 = record.bundleSHA256
        message = record.message
        currentStage = record.state.isFinal ? nil : record.nextStage
        log = record.logPath
        startedAt = record.createdAt
        finishedAt = record.finishedAt
        stages = withStages ? detail.stages : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(status, forKey: .status)
        try container.encode(state, forKey: .state)
        try container.encodeNil(forKey: .group)
        try container.encode(groups, forKey: .groups)
        try container.encode(application, forKey: .application)
        try container.encode(revision, forKey: .revision)
        try container.encode(commit, forKey: .commit)
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encodeIfPresent(branch, forKey: .branch)
        try container.encode(trigger, forKey: .trigger)
        try container.encode(mode.rawValue, forKey: .mode)
        try container.encode(bundleSHA256, forKey: .bundleSHA256)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(currentStage, forKey: .currentStage)
        try container.encode(log, forKey: .log)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encodeIfPresent(stages, forKey: .stages)
    }
}
