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
    public typealias TrafficControl = @Sendable (_ event: String, _ host: String) async -> EventResult

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
        HostSession(run: Run(deployment: self, request: request, progress: progress))
    }
}

/// One host's deployment, step by step. Every step reports into the result; none throws.
public struct HostSession: Sendable {
    var run: Run
    var locked = false

    /// Locks the host, probes and plans; with `prestage`, also runs DownloadBundle now so the
    /// transfer is off the critical path. False when the host cannot go ahead (the reasons are
    /// in the result: a held lock, an unreachable host, plan conflicts, a failed download).
    public mutating func prepare(prestage: Bool) async -> Bool {
        guard await run.acquireLock() else { return false }
        locked = true
        guard await run.probeAndPlan(early: true) != nil else { return false }
        if prestage { return await run.prestage() }
        return true
    }

    /// Runs the lifecycle events in order; stops at the first failure that is not ignored.
    public mutating func execute() async -> HostResult.Outcome {
        await run.execute()
    }

    /// Releases the host's lock (if held) and returns the result. Events that never ran are Skipped.
    public mutating func end(_ outcome: HostResult.Outcome) async -> HostResult {
        run.skipRemaining()
        var result = run.result(outcome)
        if locked && outcome != .refused && outcome != .skipped {
            // Every deployment that ran leaves a receipt, written before the lock goes; a refused
            // one changed nothing and leaves nothing.
            let writer = ReceiptWriter(transport: run.transport, request: run.request, now: run.deployment.now)
            result.receipt = await writer.write(
                result, files: run.receiptFiles, previousDeployment: run.facts.lastSuccessful,
                installed: run.installedUpdate)
        }
        if locked {
            await run.releaseLock()
            result.warnings = run.warnings
        }
        if case .failure(let problem)? = result.receipt { result.warnings.append("\(problem)") }
        locked = false
        return result
    }

    /// Whether a failed `prepare` refused the plan (nothing changed) rather than failed a step.
    public var prestageFailed: Bool { run.prestaged?.status == .failed }
}
