import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// Runs one group deployment for `deploy`, `rollback` and pipelines: the start check, the
/// connections, the setup, the group lock, the journal, the rollout, the record. Reports as it
/// goes through `events`; returns how it ended.
public struct GroupDeployer: Sendable {
    public let order: DeploymentOrder
    public let services: DeploymentServices
    public let events: @Sendable (DeploymentUpdate) -> Void

    public init(
        order: DeploymentOrder, services: DeploymentServices, events: @escaping @Sendable (DeploymentUpdate) -> Void
    ) {
        self.order = order
        self.services = services
        self.events = events
    }

    /// Refused (no host changed) or run to its verdict. Throws only for errors under it
    /// (the file system), not for a refusal or a failed host.
    public func deploy() async throws -> DeploymentOutcome {
        do {
            return .finished(try await run())
        } catch let refusal as DeploymentRefusal {
            return .refused(refusal)
        }
    }

    private func run() async throws -> FinishedDeployment {
        let overriddenBy = try order.checkWindow()
        try order.checkStart()
        let connections = try services.connect(order.group, order.targets)
        let work = try WorkDirectory.make(repository: order.repository, isRunning: services.processIsRunning)
        defer { WorkDirectory.remove(work) }
        var setup = try await DeploymentSetup.prepare(order, work: work, events: events)
        try Retry.check(setup, order)
        let lock = try GroupLock.acquire(
            repository: order.repository, group: order.group.name, deploymentID: setup.request.deploymentID)
        defer { withExtendedLifetime(lock) {} }
        let journal = try Self.recording { try services.openJournal() }
        try Self.recording { try journal.endInterruptedDeployments() }
        setup.request.reclaimableLocks = try Self.recording {
            try journal.interruptedDeployments(group: order.group.name)
        }
        let health = try Self.recording { try setup.health(from: journal) }
        try setup.reorder(health: health)
        let recorder = try Self.recording {
            try DeploymentRecorder(
                journal: journal, record: setup.record.with(retryOf: order.retryOf, windowOverriddenBy: overriddenBy),
                hosts: order.targets.map { HostTarget(name: $0.name, address: $0.address) })
        }
        events(.started(setup))
        let result = await rollout(setup, transports: connections.transports, recorder: recorder)
        await connections.close()
        recorder.finish(status: result.verdict.status, message: Self.message(result.verdict))
        if !recorder.warnings.isEmpty { events(.journalWarnings(recorder.warnings)) }
        events(.finished(setup, result))
        return FinishedDeployment(deploymentID: setup.request.deploymentID, result: result, targets: order.targets)
    }

    private func rollout(_ setup: DeploymentSetup, transports: [any HostTransport], recorder: DeploymentRecorder)
        async -> GroupResult
    {
        let members = zip(order.targets, transports).map { host, transport in
            GroupDeployment.Member(name: host.name, address: host.address, transport: transport)
        }
        let checker = order.group.health.map { health in
            HealthChecker(
                checks: health.checks,
                targets: members.map { .init(name: $0.name, address: $0.address, transport: $0.transport) },
                deploymentID: setup.request.deploymentID)
        }
        let gate = setup.gated == nil && checker == nil ? nil : HealthGate(rollout: setup.gated, checker: checker)
        let deployment = GroupDeployment(
            members: members, rollout: setup.rollout, stopRequested: services.stopRequested,
            traffic: TrafficControl.runner(group: order.group, hosts: order.targets, request: setup.request),
            gate: gate)
        return await deployment.run(setup.request) { [events] progress in
            events(.progress(progress))
            recorder.record(progress)
        }
    }

    /// Runs a journal operation needed before the first host. A deployment the journal cannot
    /// record would leave it not knowing what runs where, so a failure refuses the deployment.
    static func recording<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let refusal as DeploymentRefusal {
            throw refusal
        } catch {
            throw DeploymentRefusal.unrecorded("\(error)")
        }
    }

    /// What the journal keeps as the deployment's message.
    static func message(_ verdict: Rollout.Verdict) -> String? {
        switch verdict {
        case .succeeded: nil
        case .failed(let reason): reason.description
        case .stopped: "stopped on request"
        }
    }
}
