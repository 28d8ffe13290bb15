import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// Deploys one bundle to one host: lock, probe, plan, then every lifecycle event in order,
/// each as a program over the host's transport. The same code runs `tarmac apply` (local
/// transport) and, per host, an SSH deployment.
public struct HostDeployment: Sendable {
    public let transport: any HostTransport
    let now: @Sendable () -> Date
    /// Asked between events: true stops the deployment there (Ctrl-C).
    let stopRequested: @Sendable () -> Bool

    public init(
        transport: any HostTransport, now: @escaping @Sendable () -> Date = { Date() },
        stopRequested: @escaping @Sendable () -> Bool = { false }
    ) {
        self.transport = transport
        self.now = now
        self.stopRequested = stopRequested
    }

    /// Runs the deployment; never throws: every failure is in the result, naming the host.
    public func run(_ request: DeploymentRequest, progress: @escaping @Sendable (DeploymentProgress) -> Void) async
        -> HostResult
    {
        var run = Run(deployment: self, request: request, progress: progress)
        guard await run.acquireLock() else { return run.result(.refused) }
        let outcome = await run.execute()
        await run.releaseLock()
        return run.result(outcome)
    }
}
