import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory

/// What an execution reports while it runs, for the caller to show (and copy to its log).
public enum PipelineEvent: Sendable {
    /// An execution whose runner died was found and stopped.
    case cutOff(ExecutionDetail)
    /// The execution is over or waits for an answer: nothing to run.
    case nothingToRun(id: String, ExecutionState)
    /// `by` superseded these executions (SUPERSEDED mode).
    case superseded([String], by: String)
    /// Waiting for its turn behind these executions.
    case waiting(id: String, behind: [String])
    /// Stopped on request while it waited for its turn.
    case stoppedWaiting(id: String)
    /// It is no longer queued (superseded, or stopped by someone else).
    case gone(id: String, ExecutionState, message: String?)
    /// The execution or its current stage failed (or stopped), saying why.
    case failed(String)
    /// Every stage succeeded.
    case succeeded(id: String, commit: String)
    /// The source stage began.
    case sourceStarted(ExecutionRecord)
    /// Findings about the commit's tarmac.yml or its revision.
    case findings([Diagnostic])
    /// A post-commit run the trigger filters skip.
    case skipped(id: String, reason: String)
    /// The execution's bundle was built.
    case bundled(revision: String, path: String)
    /// A build stage began.
    case buildStarted(position: Int, commit: String, commands: Int)
    /// A line a build command wrote.
    case buildLine(BuildLine)
    /// A build command that succeeded.
    case buildCommandSucceeded(BuildCommandResult)
    /// A deploy stage began.
    case deployStarted(position: Int, group: String)
    /// A deploy stage waits for its group's window, which opens at `opensAt`.
    case waitingForWindow(group: String, DeploymentWindow, opensAt: Date)
    /// The window a deploy stage waited for opened (`at`: when the stage saw it open).
    case windowOpened(group: String, DeploymentWindow, at: Date)
    /// What the stage's deployment reports.
    case deployment(DeploymentUpdate)
    /// The stage's deployment was refused.
    case deploymentRefused(DeploymentRefusal)
    /// `by` waits at the approval this older execution waited at; that one's is no longer asked for.
    case approvalSuperseded(String, by: String)
    /// The execution waits at an approval stage named `gate`.
    case awaitingApproval(ExecutionRecord, gate: String)
}

/// How running an execution ended.
public enum PipelineRunOutcome: Sendable, Equatable {
    /// The history has no execution with this id.
    case unknownExecution(String)
    /// The state it ended (or paused) in.
    case ended(ExecutionState)
}
