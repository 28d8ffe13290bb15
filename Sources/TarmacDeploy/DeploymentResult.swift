import Foundation
import TarmacCore
import TarmacEngine

/// How one host's deployment ended.
public struct HostResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case succeeded
        /// A lifecycle event failed; the host is on the revision `installed` says.
        case failed
        /// The plan was refused before anything changed (conflicts, missing users, a held lock).
        case refused
        /// Stopped on request between two events; the event in flight finished first.
        case stopped
        /// Never started: the group's rollout ended before this host's turn.
        case skipped
    }

    /// What Install did on the host, as its program recorded it.
    public enum InstallRecord: Sendable, Equatable {
        /// Install's program never started.
        case notRun
        /// It ran (to the end or not) and recorded what it changed.
        case ran(InstallProgress)
        /// It started, but the connection was lost before it reported back.
        case unknown
    }

    public var outcome: Outcome
    public var events: [EventResult]
    /// Problems that refused the deployment, each naming its host or path.
    public var problems: [HostProblem]
    public var warnings: [String]
    /// True once Install has completed on the host (the new revision is in place).
    public var installed: Bool
    public var install: InstallRecord
    /// What DownloadBundle sent (a delta or the full bundle) and why; nil when it did not run.
    public var transfer: Transfer?
    /// The receipt left on the host, or why there is none.
    public var receipt: Result<Receipt, ReceiptError>?

    public init(
        outcome: Outcome, events: [EventResult], problems: [HostProblem], warnings: [String], installed: Bool,
        install: InstallRecord = .notRun
    ) {
        self.outcome = outcome
        self.events = events
        self.problems = problems
        self.warnings = warnings
        self.installed = installed
        self.install = install
    }

    /// The contract's status word for the host.
    public var status: DeploymentStatus {
        switch outcome {
        case .succeeded: .succeeded
        case .failed, .refused: .failed
        case .stopped: .stopped
        case .skipped: .skipped
        }
    }

    /// Which revision the host is on now, in words, for messages after a failure: from what
    /// Install's program recorded, never a guess.
    public var revisionState: String {
        if installed { return "has the new revision's files (Install completed)" }
        switch install {
        case .notRun: return "keeps its earlier revision's files (Install did not run)"
        case .unknown:
            return
                "may have a mix of revisions: the connection was lost while Install ran, so what it changed is unknown"
        case .ran(let progress): return progress.summary()
        }
    }

    /// `earlier`, `new`, `mixed` or `unknown`: where the host stands, for JSON.
    public var revisionWord: String {
        if installed { return "new" }
        switch install {
        case .notRun: return "earlier"
        case .unknown: return "unknown"
        case .ran(let progress):
            switch progress.revision {
            case .earlier: return "earlier"
            case .new: return "new"
            case .mixed: return "mixed"
            }
        }
    }
}

/// What the runner reports while it works, for live progress.
public enum DeploymentProgress: Sendable {
    case eventStarted(String)
    case eventFinished(EventResult)
    case output(event: String, stream: String, text: String)
    case note(String)
}
