import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// Deploys one bundle to one host: lock, probe, plan, then every lifecycle event in order,
/// each as a program over the host's transport. The same code runs `tarmac apply` (local
/// transport) and, per host, an SSH deployment.
public struct HostDeployment: Sendable {
    /// Runs BlockTraffic or AllowTraffic for the host on the build box (the group's traffic
    /// control); nil when the group has none.
    public typealias TrafficControl = @Sendable (_ event: LifecycleEvent, _ host: String) async -> EventResult

    public let transport: any HostTransport
    let now: @Sendable () -> Date
    /// Asked between events: true stops the deployment there (Ctrl-C, or the group's rollout halted).
    let stopRequested: @Sendable () -> Bool
    let traffic: TrafficControl?

    public init(
        transport: any HostTransport, now: @escaping @Sendable () -> Date = { Date() },
        stopRequested: @escaping @Sendable () -> Bool = { false }, traffic: TrafficControl? = nil
    ) {
        self.transport = transport
        self.now = now
        self.stopRequested = stopRequested
        self.traffic = traffic
    }

    /// Runs the deployment; never throws: every failure is in the result, naming the host.
    public func run(_ request: DeploymentRequest, progress: @escaping @Sendable (DeploymentProgress) -> Void) async
        -> HostResult
    {
        var session = session(request, progress: progress)
        guard await session.prepare(prestage: false) else { return await session.end(.refused) }
        let outcome = await session.execute()
        return await session.end(outcome)
    }

    /// The deployment in steps, for a group rollout: prepare every host first (lock, probe,
    /// plan, and the bundle pre-staged), then run the events when the host's turn comes.
    public func session(_ request: DeploymentRequest, progress: @escaping @Sendable (DeploymentProgress) -> Void)
        -> HostSession
    {
        HostSession(runner: HostRunner(deployment: self, request: request, progress: progress))
    }

    /// Probes and plans without taking the lock or writing anything (`tarmac plan`).
    public func preview(_ request: DeploymentRequest) async -> HostPreview {
        var runner = HostRunner(deployment: self, request: request) { _ in }
        guard case .previewed(let preview) = await runner.drive(runner.machine.startPreview()) else {
            preconditionFailure("HostMachine: a preview that ended otherwise")
        }
        return preview
    }
}

/// One host's deployment, step by step. Every step reports into the result; none throws.
public struct HostSession: Sendable {
    var runner: HostRunner

    /// Locks the host, probes and plans; with `prestage`, also runs DownloadBundle now so the
    /// transfer is off the critical path. False when the host cannot go ahead (the reasons are
    /// in the result: a held lock, an unreachable host, plan conflicts, a failed download).
    public mutating func prepare(prestage: Bool) async -> Bool {
        guard case .prepared(let ready) = await runner.drive(runner.machine.prepare(prestage: prestage)) else {
            preconditionFailure("HostMachine: prepare ended otherwise")
        }
        return ready
    }

    /// Runs the lifecycle events in order; stops at the first failure that is not ignored.
    public mutating func execute() async -> HostResult.Outcome {
        if runner.deployment.stopRequested() { runner.machine.requestStop() }
        let actions = runner.machine.execute(at: runner.deployment.now())
        guard case .executed(let outcome) = await runner.drive(actions) else {
            preconditionFailure("HostMachine: execute ended otherwise")
        }
        return outcome
    }

    /// Releases the host's lock (if held) and returns the result. Events that never ran are Skipped.
    /// `checked`: events after the lifecycle that the receipt also records (a health check that
    /// failed right after ValidateService), so the host's receipt says what the history says.
    public mutating func end(_ outcome: HostResult.Outcome, checked: [EventResult] = []) async -> HostResult {
        var receipt: Result<Receipt, ReceiptError>?
        if runner.machine.locked && outcome != .refused && outcome != .skipped {
            // Every deployment that ran leaves a receipt, written before the lock goes; a refused
            // one changed nothing and leaves nothing.
            var pending = runner.machine
            pending.ending = outcome
            // The lock goes at the end of the receipt's own program: one program fewer per host.
            var writer = ReceiptWriter(
                transport: runner.deployment.transport, request: runner.machine.request, now: runner.deployment.now)
            writer.unlock = true
            var written = pending.finalResult()
            written.events += checked
            let outcome = await writer.write(
                written, files: runner.machine.receiptFiles,
                previousDeployment: runner.machine.facts.lastSuccessful, installed: runner.machine.installedUpdate)
            receipt = outcome.receipt
            if outcome.unlocked { runner.machine.lockReleasedWithReceipt() }
        }
        guard case .ended(var result) = await runner.drive(runner.machine.end(outcome)) else {
            preconditionFailure("HostMachine: end ended otherwise")
        }
        result.receipt = receipt
        if case .failure(let problem)? = receipt { result.warnings.append("\(problem)") }
        return result
    }

    /// Whether a failed `prepare` refused the plan (nothing changed) rather than failed a step.
    public var prestageFailed: Bool { runner.machine.prestaged?.status == .failed }
}
