import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHistory
import TarmacHost

/// Runs one group deployment for `deploy`, `rollback` and pipelines: bundle, start check,
/// connections, the rollout, the history record, the summary.
struct GroupDeployer {
    struct Options {
        var selection: GroupSelection
        var json: Bool
        var ignoreStopFailures = false
        /// Who asked: `user`, `rollback` or `pipeline`.
        var creator = DeploymentCreator.user
        /// The deployment a rollback undoes.
        var rollbackOf: String?
        /// The pipeline execution this deployment is a stage of.
        var executionID: String?
        /// Told the deployment's id once it is recorded, before any host is changed.
        var started: ((String) -> Void)?
        /// Only these hosts (a rollback targets the hosts that ran Install); nil for all.
        var hosts: [String]?
        /// Overrides the group's file_exists_behavior (a rollback uses the good deployment's).
        var fileExistsBehavior: FileExistsBehavior?
    }

    /// How a deployment ended, and the exit status that says so.
    struct Outcome {
        var deploymentID: String
        var result: GroupResult
        var targets: [DeploymentGroup.Host]

        func exit() throws {
            switch result.verdict {
            case .succeeded: return
            case .failed: throw ExitCode(Exit.failed)
            case .stopped: throw ExitCode(Exit.interrupted)
            }
        }

        /// The hosts where Install ran (to the end or not): what a rollback must restore.
        var hostsThatRanInstall: [String] {
            zip(targets, result.hosts).compactMap { host, result in
                let install = result.events.first { $0.name == LifecycleEvent.install.rawValue }
                return install.map { $0.status == .succeeded || $0.status == .failed } == true ? host.name : nil
            }
        }
    }

    let project: ProjectContext
    let options: Options

    var group: DeploymentGroup { options.selection.group }

    /// The group's hosts this deployment targets, in inventory order.
    var targets: [DeploymentGroup.Host] {
        guard let only = options.hosts else { return group.hosts }
        return group.hosts.filter { only.contains($0.name) }
    }

    func deploy(rev: String?, bundle given: String?) async throws -> Outcome {
        _ = try options.selection.rollout(health: targets.map { _ in .unknown })
        let connections = try HostConnections(group: group, hosts: targets, repository: project.repository.root)
        let work = try Self.makeWorkDirectory(repository: project.repository.root)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let bundle = try await DeployBundle.prepare(
            project: project, rev: rev, given: given, work: work, maxUnpackedSize: group.maxUnpackedSize)
        var request = makeRequest(bundle: bundle, spec: try RequestParts.appspec(of: bundle.staged))
        let lock = try GroupLock.acquire(
            repository: project.repository.root, group: group.name, deploymentID: request.deploymentID)
        defer { withExtendedLifetime(lock) {} }
        let store = try openHistory()
        try Self.refusingUnrecorded { _ = try store.markInterrupted() }
        request.reclaimableLocks = (try? store.interruptedDeployments(group: group.name)) ?? []
        let rollout = try options.selection.rollout(health: health(store, revision: bundle.revision))
        let recorder = try startRecording(store, request: request, bundle: bundle)
        options.started?(request.deploymentID)
        let printer = DeployPrinter(json: options.json, hosts: targets.map(\.name))
        printer.start(request, bundle: bundle, rollout: rollout, config: options.selection.config)
        Interrupt.install()
        let members = zip(targets, connections.transports).map { host, transport in
            GroupDeployment.Member(name: host.name, address: host.address, transport: transport)
        }
        let deployment = GroupDeployment(
            members: members, rollout: rollout, stopRequested: { Interrupt.requested },
            traffic: TrafficControl.runner(group: group, hosts: targets, request: request))
        let result = await deployment.run(request) {
            printer.progress($0)
            recorder.record($0)
        }
        await connections.close()
        recorder.finish(status: result.verdict.status, message: Self.message(result.verdict))
        for warning in recorder.warnings.prefix(3) { Console.say("warning: history: \(warning)") }
        printer.summary(request, result: result)
        return Outcome(deploymentID: request.deploymentID, result: result, targets: targets)
    }

    func makeRequest(bundle: DeployBundle, spec: AppSpec) -> DeploymentRequest {
        let application = project.application
        let groupID = DeploymentGroupID.make(application: application, group: group.name)
        return DeploymentRequest(
            deploymentID: DeploymentID.make(), application: application, groupName: group.name, groupID: groupID,
            layout: HostLayout(root: group.deploymentRoot, groupID: groupID), appspec: spec,
            files: bundle.staged.files, bundleSource: .standardInput(byteCount: bundle.upload.byteCount),
            bundleSHA256: bundle.uploadSHA256, upload: bundle.upload, commit: bundle.commit,
            events: options.selection.events,
            fileExistsBehavior: options.fileExistsBehavior ?? group.fileExistsBehavior,
            ignoreApplicationStopFailures: options.ignoreStopFailures, maxRevisions: group.maxRevisions)
    }

    /// The repository's history. A deployment the history cannot record would leave it not
    /// knowing what runs where, so a history that cannot be opened (damaged, locked for longer
    /// than the busy timeout) refuses the deployment before any host is touched.
    func openHistory() throws -> HistoryStore {
        try Self.refusingUnrecorded { try HistoryStore.open(repositoryRoot: project.repository.root) }
    }

    /// Runs a history write needed before the first host; a failure stops with exit 1 (the
    /// input was fine, the operation could not be carried out: retrying may work), naming the
    /// file and SQLite's error.
    static func refusingUnrecorded<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch {
            Console.say("error: \(error)")
            Console.say(
                "error: the deployment history cannot be written, so nothing was deployed (no host was contacted); "
                    + "if another tarmac holds it, retry when it is done; if it is damaged, move it aside")
            throw ExitCode(Exit.failed)
        }
    }

    /// Each target's health class from the history (spec §6.2 order), as `deploy` will read it:
    /// `plan` announces the order `deploy` takes.
    func health(_ store: HistoryStore, revision: String) -> [RolloutHost.Health] {
        (try? store.health(group: group.name, hosts: targets.map(\.name), revision: revision))
            ?? targets.map { _ in .unknown }
    }

    private func startRecording(_ store: HistoryStore, request: DeploymentRequest, bundle: DeployBundle) throws
        -> DeploymentRecorder
    {
        let record = DeploymentRecord(
            id: request.deploymentID, group: group.name, application: request.application,
            revision: bundle.revision, commit: bundle.commit, bundleSHA256: bundle.staged.report.sha256,
            bundlePath: bundle.path, configName: options.selection.config.name,
            fileExistsBehavior: request.fileExistsBehavior,
            ignoreApplicationStopFailures: request.ignoreApplicationStopFailures, creator: options.creator,
            rollbackOf: options.rollbackOf, executionID: options.executionID)
        return try Self.refusingUnrecorded {
            try DeploymentRecorder(
                journal: store, record: record, hosts: targets.map { HostTarget(name: $0.name, address: $0.address) })
        }
    }

    static func message(_ verdict: Rollout.Verdict) -> String? {
        switch verdict {
        case .succeeded: nil
        case .failed(let reason): reason
        case .stopped: "stopped on request"
        }
    }

    /// A private scratch directory for the staged bundle: `.tarmac/work/<pid>-<uuid>` of the
    /// repository. Those of tarmac processes that no longer run (killed mid-deployment, so
    /// their cleanup never ran) are removed first: a staged bundle can be large.
    static func makeWorkDirectory(repository: String) throws -> String {
        let base = repository + "/.tarmac/work"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
            guard let pid = name.split(separator: "-").first.flatMap({ Int32($0) }),
                pid != getpid(), !HistoryStore.processIsRunning(pid)
            else { continue }
            try? FileManager.default.removeItem(atPath: base + "/" + name)
        }
        let path = base + "/\(getpid())-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }
}
