import Foundation
import TarmacBundle
import TarmacCore

/// `deploy GROUP --retry d-ID`: d-ID's revision — its kept bundle, with the SHA-256 it recorded —
/// again, to only the hosts that did not succeed in d-ID (Failed, Skipped or Stopped), as a new
/// deployment linked to d-ID.
public enum Retry {
    /// The hosts of `record` to retry, in its order: those whose status is not Succeeded.
    /// `hosts` are the recorded hosts and their statuses. Refused when `record` belongs to another
    /// group, every host succeeded, or the bundle is gone or changed.
    public static func order(
        _ order: DeploymentOrder, retrying record: DeploymentRecord,
        hosts: [(name: String, status: DeploymentStatus)]
    ) throws(DeploymentRefusal) -> DeploymentOrder {
        guard record.group == order.group.name else {
            throw .noSuchDeployment(id: record.id, group: order.group.name)
        }
        let retried = hosts.filter { $0.status != .succeeded && $0.status != .inProgress }.map(\.name)
        guard !retried.isEmpty else { throw .nothingToRetry(deploymentID: record.id) }
        guard let path = record.bundlePath, FileManager.default.fileExists(atPath: path) else {
            throw .bundleGone(deploymentID: record.id, path: record.bundlePath)
        }
        let found: String
        do {
            found = try FileDigest.sha256Hex(ofFileAt: path)
        } catch {
            throw .bundleUnreadable(path: path, reason: "\(error)")
        }
        guard found == record.bundleSHA256 else {
            throw .bundleChanged(deploymentID: record.id, path: path, recorded: record.bundleSHA256, found: found)
        }
        var order = order
        order.bundle = .given(path)
        order.expectedBundleSHA256 = record.bundleSHA256
        order.hosts = retried
        order.retryOf = record.id
        order.fileExistsBehavior = record.fileExistsBehavior
        return order
    }

    /// Refuses a staged bundle whose SHA-256 is not the one the retried deployment recorded
    /// (the file changed between the check above and its staging).
    static func check(_ setup: DeploymentSetup, _ order: DeploymentOrder) throws(DeploymentRefusal) {
        guard let expected = order.expectedBundleSHA256, let retried = order.retryOf else { return }
        let found = setup.bundle.staged.report.sha256
        if found != expected {
            throw .bundleChanged(deploymentID: retried, path: setup.bundle.path, recorded: expected, found: found)
        }
    }
}

extension Retry {
    /// `order` turned into the retry of the recorded deployment `id` (read from the journal).
    public static func order(_ order: DeploymentOrder, retrying id: String, services: DeploymentServices) throws
        -> DeploymentOrder
    {
        let journal = try GroupDeployer.recording { try services.openJournal() }
        guard let record = try GroupDeployer.recording({ try journal.deploymentRecord(id) }) else {
            throw DeploymentRefusal.noSuchDeployment(id: id, group: order.group.name)
        }
        let hosts = try GroupDeployer.recording { try journal.hostStatuses(deploymentID: id) }
        return try Self.order(order, retrying: record, hosts: hosts)
    }
}
