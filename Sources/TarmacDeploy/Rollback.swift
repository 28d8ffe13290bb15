import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory

/// Redeploys a group's last good revision (spec §6.4): a new deployment of an earlier bundle,
/// with that deployment's file_exists_behavior, to the hosts given.
enum Rollback {
    /// The deployment to roll back to: `id`, or the group's last successful one; exit 2 when
    /// there is none or its bundle is gone.
    static func target(_ store: HistoryStore?, group: String, id: String?) throws -> DeploymentRecord {
        let record: DeploymentRecord?
        if let id {
            record = try store.flatMap { try $0.deployment(id)?.record }
            guard let record, record.group == group else {
                Console.say("error: no deployment \(id) of group \(group) in this repository's history")
                throw ExitCode(Exit.invalidInput)
            }
        } else {
            record = try store?.lastSuccessful(group: group)
            guard record != nil else {
                Console.say("error: group \(group) has no successful deployment to roll back to")
                throw ExitCode(Exit.invalidInput)
            }
        }
        guard let record, let path = record.bundlePath, FileManager.default.fileExists(atPath: path) else {
            Console.say(
                "error: the bundle of \(record?.id ?? "that deployment") is no longer in .tarmac/artifacts "
                    + "(\(record?.bundlePath ?? "not recorded")); deploy its revision with --rev instead")
            throw ExitCode(Exit.invalidInput)
        }
        return record
    }

    /// Runs the rollback deployment of `good` to `hosts` (nil: all).
    static func run(
        project: ProjectContext, selection: GroupSelection, good: DeploymentRecord, of failed: String?,
        hosts: [String]?, ignoreStopFailures: Bool, json: Bool
    ) async throws -> GroupDeployer.Outcome {
        var selection = selection
        let count = hosts?.count ?? selection.group.hosts.count
        if selection.config.minimumHealthy(hostCount: count) >= count {
            Console.say(
                "note: \(selection.config.name) cannot start on \(count) host\(count == 1 ? "" : "s"); "
                    + "the rollback runs OneAtATime")
            selection.config = .oneAtATime
        }
        var options = GroupDeployer.Options(selection: selection, json: json)
        options.creator = .rollback
        options.rollbackOf = failed
        options.hosts = hosts
        options.fileExistsBehavior = good.fileExistsBehavior
        options.ignoreStopFailures = ignoreStopFailures
        Console.say("rolling back group \(selection.group.name) to \(good.revision) (deployment \(good.id))")
        return try await GroupDeployer(project: project, options: options).deploy(rev: nil, bundle: good.bundlePath)
    }

    /// After a failed deployment of a group with auto_rollback: redeploy the last good revision
    /// to the hosts that ran Install. Prints why when there is nothing to do.
    static func automatic(
        after outcome: GroupDeployer.Outcome, project: ProjectContext, selection: GroupSelection,
        ignoreStopFailures: Bool, json: Bool
    ) async {
        guard case .failed = outcome.result.verdict, selection.group.autoRollback else { return }
        let hosts = outcome.hostsThatRanInstall
        guard !hosts.isEmpty else {
            Console.say("auto rollback: no host ran Install, so every host keeps its earlier revision")
            return
        }
        let store = try? HistoryStore.open(repositoryRoot: project.repository.root)
        guard let good = try? store?.lastSuccessful(group: selection.group.name),
            good.id != outcome.deploymentID, let path = good.bundlePath, FileManager.default.fileExists(atPath: path)
        else {
            Console.say(
                "auto rollback: group \(selection.group.name) has no earlier successful deployment with its bundle kept; nothing to roll back to"
            )
            return
        }
        Console.say("auto rollback of \(outcome.deploymentID) on \(hosts.joined(separator: ", "))")
        do {
            let rollback = try await run(
                project: project, selection: selection, good: good, of: outcome.deploymentID, hosts: hosts,
                ignoreStopFailures: ignoreStopFailures, json: json)
            Console.say(
                "auto rollback \(rollback.deploymentID): \(rollback.result.verdict.status.rawValue)")
        } catch {
            Console.say("auto rollback could not run: \(error)")
        }
    }
}
