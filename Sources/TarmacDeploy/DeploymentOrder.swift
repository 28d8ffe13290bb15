import TarmacCore
import TarmacHost

/// What a deployment is asked to do, by `deploy`, `plan`, `rollback` or a pipeline stage.
public struct DeploymentOrder: Sendable {
    /// The repository's root: `.tarmac/` (work, locks, artifacts) is under it.
    public var repository: String
    public var application: String
    public var selection: GroupSelection
    public var bundle: DeployBundle.Source
    /// Only these hosts (a rollback targets the hosts that ran Install); nil for all.
    public var hosts: [String]?
    /// Overrides the group's file_exists_behavior (a rollback uses the good deployment's).
    public var fileExistsBehavior: FileExistsBehavior?
    public var ignoreStopFailures: Bool
    /// Who asked: `user`, `rollback` or `pipeline`.
    public var creator = DeploymentCreator.user
    /// The deployment a rollback undoes.
    public var rollbackOf: String?
    /// The pipeline execution this deployment is a stage of.
    public var executionID: String?
    /// The deployment whose failed and skipped hosts this one retries (`deploy --retry`).
    public var retryOf: String?
    /// The SHA-256 the bundle must have (a retry deploys exactly the bundle it retries).
    public var expectedBundleSHA256: String?
    /// Whether the group's window is checked before anything else (`deploy` enforces it).
    public var windowPolicy = WindowPolicy.ignore
    /// Whether a host with an installed revision gets a delta from it (`--no-delta`: never).
    public var deltas = true

    public init(
        repository: String, application: String, selection: GroupSelection, bundle: DeployBundle.Source,
        ignoreStopFailures: Bool
    ) {
        self.repository = repository
        self.application = application
        self.selection = selection
        self.bundle = bundle
        self.ignoreStopFailures = ignoreStopFailures
    }

    public var group: DeploymentGroup { selection.group }

    /// The group's hosts this deployment targets, in inventory order.
    public var targets: [DeploymentGroup.Host] {
        guard let only = hosts else { return group.hosts }
        return group.hosts.filter { only.contains($0.name) }
    }

    /// The start check before anything is built or contacted: every host taken as unknown.
    public func checkStart() throws(DeploymentRefusal) {
        _ = try selection.rollout(health: targets.map { _ in .unknown })
        _ = try selection.gatedRollout(health: targets.map { _ in .unknown }, zones: targets.map(\.zone))
    }
}

/// What a deployment reaches the world through, chosen by the caller (the command line):
/// the hosts' transports, the journal, the process table, and the user's stop request.
public struct DeploymentServices: Sendable {
    /// Transports to the hosts, one each in order; throws `DeploymentRefusal.hosts` when a
    /// host's settings cannot be honoured.
    public var connect: @Sendable (DeploymentGroup, [DeploymentGroup.Host]) throws -> ConnectedHosts
    /// The journal; opening it fails when it cannot record.
    public var openJournal: @Sendable () throws -> any DeploymentJournal
    /// Whether a process with this id runs on this machine.
    public var processIsRunning: @Sendable (Int32) -> Bool
    /// True once the user asked to stop.
    public var stopRequested: @Sendable () -> Bool

    public init(
        connect: @escaping @Sendable (DeploymentGroup, [DeploymentGroup.Host]) throws -> ConnectedHosts,
        openJournal: @escaping @Sendable () throws -> any DeploymentJournal,
        processIsRunning: @escaping @Sendable (Int32) -> Bool, stopRequested: @escaping @Sendable () -> Bool
    ) {
        self.connect = connect
        self.openJournal = openJournal
        self.processIsRunning = processIsRunning
        self.stopRequested = stopRequested
    }
}

/// Open transports to a deployment's hosts, and how to close them all.
public struct ConnectedHosts: Sendable {
    public var transports: [any HostTransport]
    public var close: @Sendable () async -> Void

    public init(transports: [any HostTransport], close: @escaping @Sendable () async -> Void) {
        self.transports = transports
        self.close = close
    }
}
