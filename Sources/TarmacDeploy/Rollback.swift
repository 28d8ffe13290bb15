import Foundation
import TarmacCore

/// Redeploys a group's last good revision (spec §6.4): a new deployment of an earlier bundle,
/// with that deployment's file_exists_behavior, to the hosts given.
public enum Rollback {
    /// The deployment to roll back to: `id`, or the group's last successful one; refused when
    /// there is none or its bundle is gone. No journal: nothing was recorded yet.
    public static func target(_ journal: (any DeploymentJournal)?, group: String, id: String?) throws
        -> DeploymentRecord
    {
        let record: DeploymentRecord?
        if let id {
            record = try journal.flatMap { try $0.deploymentRecord(id) }
            guard let record, record.group == group else {
                throw DeploymentRefusal.noSuchDeployment(id: id, group: group)
            }
        } else {
            record = try journal?.lastSuccessful(group: group)
            guard record != nil else { throw DeploymentRefusal.nothingToRollBackTo(group: group) }
        }
        guard let record, let path = record.bundlePath, FileManager.default.fileExists(atPath: path) else {
            throw DeploymentRefusal.bundleGone(deploymentID: record?.id, path: record?.bundlePath)
        }
        return record
    }

    /// Runs the rollback deployment of `good` (a target) to `hosts` (nil: all) of `order`'s group.
    public static func run(
        _ order: DeploymentOrder, good: DeploymentRecord, of failed: String?, hosts: [String]?,
        services: DeploymentServices, events: @escaping @Sendable (DeploymentUpdate) -> Void
    ) async throws -> DeploymentOutcome {
        var order = order
        let count = hosts?.count ?? order.group.hosts.count
        if order.selection.config.minimumHealthy(hostCount: count) >= count {
            events(.rollback(.oneAtATime(config: order.selection.config.name, hostCount: count)))
            order.selection.config = .oneAtATime
        }
        order.bundle = .given(good.bundlePath ?? "")
        order.creator = .rollback
        order.rollbackOf = failed
        order.executionID = nil
        order.hosts = hosts
        order.fileExistsBehavior = good.fileExistsBehavior
        events(.rollback(.starting(group: order.group.name, to: good)))
        return try await GroupDeployer(order: order, services: services, events: events).deploy()
    }

    /// After a failed deployment of a group with auto_rollback: redeploys the last good
    /// revision to the hosts that ran Install. Says why when there is nothing to do.
    public static func automatic(
        after finished: FinishedDeployment, order: DeploymentOrder, services: DeploymentServices,
        events: @escaping @Sendable (DeploymentUpdate) -> Void
    ) async {
        guard case .failed = finished.result.verdict, order.group.autoRollback else { return }
        let hosts = finished.hostsThatRanInstall
        guard !hosts.isEmpty else { return events(.rollback(.nothingInstalled)) }
        let good: DeploymentRecord?
        do {
            good = try services.openJournal().lastSuccessful(group: order.group.name)
        } catch {
            return events(.rollback(.automaticFailed("the history cannot be read: \(error)")))
        }
        guard let good, good.id != finished.deploymentID, let path = good.bundlePath,
            FileManager.default.fileExists(atPath: path)
        else { return events(.rollback(.noEarlierDeployment(group: order.group.name))) }
        events(.rollback(.automatic(of: finished.deploymentID, hosts: hosts)))
        do {
            switch try await run(
                order, good: good, of: finished.deploymentID, hosts: hosts, services: services, events: events)
            {
            case .finished(let rollback):
                events(
                    .rollback(
                        .automaticEnded(deploymentID: rollback.deploymentID, status: rollback.result.verdict.status)))
            case .refused(let refusal):
                events(.rollback(.automaticRefused(refusal)))
            }
        } catch {
            events(.rollback(.automaticFailed("\(error)")))
        }
    }
}
