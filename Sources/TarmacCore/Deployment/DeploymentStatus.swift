import Foundation

/// The status words of the contract (design.md).
public enum DeploymentStatus: String, Codable, Sendable {
    case succeeded = "Succeeded"
    case failed = "Failed"
    case skipped = "Skipped"
    case stopped = "Stopped"
    case inProgress = "InProgress"
}

/// One lifecycle event on one host.
public struct EventResult: Codable, Sendable, Equatable {
    public var name: String
    public var status: DeploymentStatus
    public var startedAt: Date?
    public var finishedAt: Date?
    public var exitCode: Int32?
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case name, status
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case exitCode = "exit_code"
        case message
    }

    public init(
        name: String, status: DeploymentStatus, startedAt: Date? = nil, finishedAt: Date? = nil, exitCode: Int32? = nil,
        message: String? = nil
    ) {
        self.name = name
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.message = message
    }
}

extension Rollout.Verdict {
    /// The status word a deployment with this verdict ends with.
    public var status: DeploymentStatus {
        switch self {
        case .succeeded: .succeeded
        case .failed: .failed
        case .stopped: .stopped
        }
    }
}
