import TarmacBundle
import TarmacCore

/// How a request to deploy ended: refused before any host was changed, or run to its verdict
/// (succeeded, failed, or stopped on request).
public enum DeploymentOutcome: Sendable {
    case refused(DeploymentRefusal)
    case finished(FinishedDeployment)
}

/// A deployment that ran: its id, each host's result, and the verdict.
public struct FinishedDeployment: Sendable {
    public var deploymentID: String
    public var result: GroupResult
    /// The hosts it targeted, in inventory order (one result each).
    public var targets: [DeploymentGroup.Host]

    public init(deploymentID: String, result: GroupResult, targets: [DeploymentGroup.Host]) {
        self.deploymentID = deploymentID
        self.result = result
        self.targets = targets
    }

    /// The hosts where Install ran (to the end or not): what a rollback must restore.
    public var hostsThatRanInstall: [String] {
        zip(targets, result.hosts).compactMap { host, result in
            let install = result.events.first { $0.name == LifecycleEvent.install.rawValue }
            return install.map { $0.status == .succeeded || $0.status == .failed } == true ? host.name : nil
        }
    }
}

/// Why a deployment did not start. None of them changed a host.
public enum DeploymentRefusal: Error, Sendable, CustomStringConvertible {
    /// The configuration cannot start on the group's hosts (spec §6.2).
    case startCheck(group: String, StartCheckFailure)
    /// A zone of a zonal configuration where no host may go offline (issue 14).
    case zoneCheck(group: String, String)
    /// The connection settings of a host cannot be honoured (the reason, in full).
    case hosts(String)
    /// The revision could not be bundled.
    case bundleNotBuilt(BundleError)
    /// The bundle could not be read, verified or staged.
    case bundleNotStaged(BundleError)
    /// A bundle given from elsewhere could not be kept in `.tarmac/artifacts/`.
    case bundleUnreadable(path: String, reason: String)
    /// The bundle's AppSpec is not valid: every finding.
    case invalidAppSpec([Diagnostic])
    /// The group's lock file cannot be opened.
    case lockUnavailable(path: String, reason: String)
    /// Another tarmac deploys the group; `holder` is what it wrote in the lock.
    case busy(group: String, holder: String?)
    /// The journal cannot record the deployment (damaged, or locked too long): its error.
    case unrecorded(String)
    /// A rollback to a deployment the history does not have for this group.
    case noSuchDeployment(id: String, group: String)
    /// A rollback of a group that never had a successful deployment.
    case nothingToRollBackTo(group: String)
    /// A rollback to a deployment whose bundle is no longer kept.
    case bundleGone(deploymentID: String?, path: String?)
    /// The group's window is closed (and `--outside-window` was not given).
    case outsideWindow(group: String, WindowState)
    /// `--retry` of a deployment whose kept bundle no longer has the SHA-256 it recorded.
    case bundleChanged(deploymentID: String, path: String, recorded: String, found: String)
    /// `--retry` of a deployment in which every host succeeded.
    case nothingToRetry(deploymentID: String)

    /// True when the input was at fault (retrying the same way cannot work); false when the
    /// operation could not be carried out (a held lock, a history that cannot be written).
    public var isInvalidInput: Bool {
        switch self {
        case .bundleNotBuilt(let error), .bundleNotStaged(let error): error.isInvalidInput
        case .lockUnavailable, .busy, .unrecorded: false
        default: true
        }
    }

    /// One line saying why.
    public var description: String {
        switch self {
        case .startCheck(let group, let failure): "group \(group): \(failure)"
        case .zoneCheck(let group, let reason): "group \(group): \(reason)"
        case .hosts(let reason): reason
        case .bundleNotBuilt(let error), .bundleNotStaged(let error): "\(error)"
        case .bundleUnreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidAppSpec: "the bundle's AppSpec is not valid"
        case .lockUnavailable(let path, let reason): "cannot open \(path): \(reason)"
        case .busy(let group, let holder):
            "group \(group) is being deployed by another tarmac (\(holder ?? "unknown"))"
        case .unrecorded(let error): "the deployment history cannot be written: \(error)"
        case .noSuchDeployment(let id, let group): "no deployment \(id) of group \(group) in this repository's history"
        case .nothingToRollBackTo(let group): "group \(group) has no successful deployment to roll back to"
        case .bundleGone(let id, let path):
            "the bundle of \(id ?? "that deployment") is no longer in .tarmac/artifacts (\(path ?? "not recorded"))"
        case .outsideWindow(let group, let state):
            "group \(group) is outside its deployment window: \(state.description); "
                + "deploy then, or pass --outside-window to deploy now (the history records who did)"
        case .bundleChanged(let id, let path, let recorded, let found):
            "the bundle of \(id) (\(path)) has changed since it was deployed: its SHA-256 is \(found), "
                + "not \(recorded); it cannot be retried"
        case .nothingToRetry(let id): "every host of \(id) succeeded; there is nothing to retry"
        }
    }
}

/// What a deployment reports while it works, for the caller to show and record.
public enum DeploymentUpdate: Sendable {
    /// The revision was bundled (with its warnings and what the working tree has beside it).
    case bundled(BundleOutcome)
    /// The findings of a valid AppSpec (warnings).
    case appspecFindings([Diagnostic])
    /// Recorded and about to contact the hosts: the setup it runs.
    case started(DeploymentSetup)
    case progress(GroupProgress)
    /// Writes the journal could not make (the deployment went on).
    case journalWarnings([String])
    case finished(DeploymentSetup, GroupResult)
    case rollback(RollbackEvent)
}

/// What a rollback reports beside its deployment's events.
public enum RollbackEvent: Sendable {
    /// The configuration cannot start on that many hosts, so the rollback runs OneAtATime.
    case oneAtATime(config: String, hostCount: Int)
    /// About to redeploy `to`'s bundle to the group.
    case starting(group: String, to: DeploymentRecord)
    /// Automatic rollback: no host ran Install, so there is nothing to restore.
    case nothingInstalled
    /// Automatic rollback: the group has no earlier good deployment with its bundle kept.
    case noEarlierDeployment(group: String)
    /// Automatic rollback of `of` begins on `hosts`.
    case automatic(of: String, hosts: [String])
    /// The automatic rollback's deployment ended.
    case automaticEnded(deploymentID: String, status: DeploymentStatus)
    /// The automatic rollback was refused.
    case automaticRefused(DeploymentRefusal)
    /// The automatic rollback could not run (an error under it).
    case automaticFailed(String)
}
