import Foundation

/// Who started a deployment.
public enum DeploymentCreator: String, Codable, Sendable, CaseIterable {
    case user
    case rollback
    case pipeline
    /// Imported from a host's receipt (`tarmac receipts import`): a deployment done elsewhere.
    case receipt
}

/// One host a deployment targets, in the order the deployment configuration takes them.
public struct HostTarget: Sendable, Equatable {
    public var name: String
    public var address: String

    /// A host by its name in `tarmac.yml` and the address tarmac connects to.
    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }
}

/// One deployment as the history keeps it: what was deployed where, how, and how it ended.
public struct DeploymentRecord: Sendable, Equatable {
    /// `d-` and nine characters (DeploymentID).
    public var id: String
    public var group: String
    public var application: String
    /// The bundle's revision: the commit, with a dirty-tree marker when one was bundled.
    public var revision: String
    /// The commit the bundle was built from, when it says.
    public var commit: String?
    public var bundleSHA256: String
    /// The bundle file, relative to the repository (under `.tarmac/artifacts/`), when kept.
    public var bundlePath: String?
    /// The deployment configuration's name (AllAtOnce, HalfAtATime, OneAtATime or a custom one).
    public var configName: String
    public var fileExistsBehavior: FileExistsBehavior
    public var ignoreApplicationStopFailures: Bool
    public var creator: DeploymentCreator
    /// The deployment this one rolls back, for a rollback.
    public var rollbackOf: String?
    /// The pipeline execution (`e-…`) that started this deployment, if one did.
    public var executionID: String?
    /// The deployment whose failed and skipped hosts this one retries (`deploy --retry`).
    public var retryOf: String?
    /// Who started it outside the group's window with `--outside-window` (user@host).
    public var windowOverriddenBy: String?
    public var status: DeploymentStatus
    /// Why the deployment failed or stopped, or a note on how it went.
    public var message: String?
    /// Stamped by `HistoryStore.begin` from the store's clock.
    public var startedAt: Date
    public var finishedAt: Date?

    /// A deployment about to begin; `begin` stamps its start and sets it `InProgress`.
    public init(
        id: String, group: String, application: String, revision: String, commit: String? = nil,
        bundleSHA256: String, bundlePath: String? = nil, configName: String,
        fileExistsBehavior: FileExistsBehavior = .disallow, ignoreApplicationStopFailures: Bool = false,
        creator: DeploymentCreator = .user, rollbackOf: String? = nil, executionID: String? = nil,
        status: DeploymentStatus = .inProgress, message: String? = nil,
        startedAt: Date = Date(timeIntervalSince1970: 0), finishedAt: Date? = nil
    ) {
        self.id = id
        self.group = group
        self.application = application
        self.revision = revision
        self.commit = commit
        self.bundleSHA256 = bundleSHA256
        self.bundlePath = bundlePath
        self.configName = configName
        self.fileExistsBehavior = fileExistsBehavior
        self.ignoreApplicationStopFailures = ignoreApplicationStopFailures
        self.creator = creator
        self.rollbackOf = rollbackOf
        self.executionID = executionID
        self.status = status
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// The record, linked to the deployment it retries and to who overrode the window.
    public func with(retryOf: String?, windowOverriddenBy: String?) -> DeploymentRecord {
        var record = self
        record.retryOf = retryOf
        record.windowOverriddenBy = windowOverriddenBy
        return record
    }
}
