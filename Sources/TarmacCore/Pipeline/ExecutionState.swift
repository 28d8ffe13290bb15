/// Where one pipeline execution stands. Four states are alive (`pending`, `queued`,
/// `running`, `awaitingApproval`); the others are final.
public enum ExecutionState: String, Sendable, CaseIterable, Codable {
    /// Recorded; its runner has not read the commit's tarmac.yml yet.
    case pending = "Pending"
    /// Waiting for its turn on the pipeline to run its next stage.
    case queued = "Queued"
    /// Holds the pipeline: building or deploying.
    case running = "Running"
    /// Paused at an approval stage; no process runs it until `tarmac approve` or `reject`.
    case awaitingApproval = "AwaitingApproval"
    case succeeded = "Succeeded"
    case failed = "Failed"
    /// Ctrl-C, or its runner died.
    case stopped = "Stopped"
    /// A newer execution replaced it while it waited (SUPERSEDED mode).
    case superseded = "Superseded"
    /// The trigger filters did not select the commit.
    case skipped = "Skipped"
    /// Its approval was rejected.
    case rejected = "Rejected"

    /// Whether the execution is over.
    public var isFinal: Bool {
        switch self {
        case .pending, .queued, .running, .awaitingApproval: false
        default: true
        }
    }

    /// Whether a process should be running it (an approval wait has none).
    public var needsRunner: Bool {
        self == .pending || self == .queued || self == .running
    }

    /// The contract's status word (`Succeeded|Failed|Stopped|InProgress|Skipped`).
    public var status: String {
        switch self {
        case .pending, .queued, .running, .awaitingApproval: "InProgress"
        case .succeeded: "Succeeded"
        case .failed, .rejected: "Failed"
        case .stopped, .superseded: "Stopped"
        case .skipped: "Skipped"
        }
    }
}
