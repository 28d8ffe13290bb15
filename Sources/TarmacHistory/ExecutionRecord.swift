import Foundation
import TarmacCore

/// What started an execution.
public enum ExecutionTrigger: String, Codable, Sendable, CaseIterable {
    /// `tarmac run` or `make deploy` by hand: the trigger filters do not apply.
    case manual
    /// The Git post-commit hook: the trigger filters decide.
    case postCommit = "post-commit"
}

/// One pipeline execution as the history keeps it.
public struct ExecutionRecord: Sendable, Equatable {
    /// `e-` and nine characters.
    public var id: String
    /// Creation order (commit order for the hook), given by `createExecution`.
    public var sequence: Int64
    public var application: String
    public var commit: String
    /// The commit's subject line.
    public var subject: String?
    /// The branch the commit was made on (nil: detached HEAD or not known).
    public var branch: String?
    public var trigger: ExecutionTrigger
    /// From the commit's tarmac.yml once read; QUEUED until then.
    public var mode: Pipeline.Mode
    public var state: ExecutionState
    /// Position in `stages` of the stage it runs next or waits at.
    public var nextStage: Int
    /// Why it failed, stopped or was skipped; what it waits for.
    public var message: String?
    /// The bundle built once for every deploy stage, when built.
    public var revision: String?
    public var bundlePath: String?
    public var bundleSHA256: String?
    /// The execution's log file, relative to the repository.
    public var logPath: String
    /// The process running it, when one should be.
    public var runner: RunnerIdentity?
    public var createdAt: Date
    public var finishedAt: Date?

    /// An execution about to be created; `createExecution` assigns the sequence and times.
    public init(
        id: String, application: String, commit: String, subject: String? = nil, branch: String? = nil,
        trigger: ExecutionTrigger, logPath: String, runner: RunnerIdentity? = nil
    ) {
        self.id = id
        self.sequence = 0
        self.application = application
        self.commit = commit
        self.subject = subject
        self.branch = branch
        self.trigger = trigger
        self.mode = .queued
        self.state = .pending
        self.nextStage = 0
        self.logPath = logPath
        self.runner = runner
        self.createdAt = Date(timeIntervalSince1970: 0)
    }

    /// The queue's view of it.
    public var queueEntry: ExecutionQueue.Entry {
        ExecutionQueue.Entry(id: id, sequence: sequence, state: state, nextStage: nextStage)
    }
}

/// The kinds of stage: source and build come first, then the pipeline's own stages.
public enum StageKind: String, Codable, Sendable {
    case source
    case build
    case deploy
    case approval
}

/// How one stage stands, in the contract's words plus the approval wait.
public enum StageStatus: String, Codable, Sendable {
    case pending = "Pending"
    case inProgress = "InProgress"
    case awaitingApproval = "AwaitingApproval"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case stopped = "Stopped"
    case skipped = "Skipped"

    /// Whether the stage is over.
    public var isFinal: Bool {
        self == .succeeded || self == .failed || self == .stopped || self == .skipped
    }
}

/// One stage of an execution.
public struct StageRecord: Sendable, Equatable, Codable {
    public var position: Int
    public var kind: StageKind
    /// The group of a deploy stage; the approval's message; `source` or `build` otherwise.
    public var name: String
    public var status: StageStatus
    public var message: String?
    /// The deployment a deploy stage ran.
    public var deploymentID: String?
    /// Who approved or rejected an approval stage.
    public var answeredBy: String?
    public var startedAt: Date?
    public var finishedAt: Date?

    /// A stage not started yet.
    public init(position: Int, kind: StageKind, name: String, status: StageStatus = .pending) {
        self.position = position
        self.kind = kind
        self.name = name
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case position, kind, name, status, message
        case deploymentID = "deployment_id"
        case answeredBy = "answered_by"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

/// One execution with its stages.
public struct ExecutionDetail: Sendable, Equatable {
    public var record: ExecutionRecord
    public var stages: [StageRecord]

    /// The stage it runs next or waits at, if it has stages yet.
    public var currentStage: StageRecord? {
        stages.first { $0.position == record.nextStage }
    }

    /// The groups its deploy stages deploy to, in order.
    public var groups: [String] {
        stages.filter { $0.kind == .deploy }.map(\.name)
    }
}
