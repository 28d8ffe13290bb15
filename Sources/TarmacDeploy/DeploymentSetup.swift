import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacEngine
import TarmacHost

/// What `plan`, `deploy`, `rollback` and a pipeline's deploy stage share before any host is
/// changed: the bundle, the request every host receives, and the rollout — its order taken
/// from the hosts' health in the journal (spec §6.2). `plan` announces the order `deploy`
/// takes because both order through `reorder(health:)` with `health(from:)`.
public struct DeploymentSetup: Sendable {
    public let order: DeploymentOrder
    public let bundle: DeployBundle
    public var request: DeploymentRequest
    /// Every host unknown until `reorder(health:)`.
    public private(set) var rollout: Rollout
    /// The health-gated rollout when the configuration has zones or bakes (issue 14).
    public private(set) var gated: GatedRollout? = nil

    public var targets: [DeploymentGroup.Host] { order.targets }
    public var config: DeploymentConfig { order.selection.config }

    /// The start check, the bundle built (or taken) and staged in `work`, its AppSpec
    /// validated, and the request. Throws a `DeploymentRefusal` when the input is refused.
    public static func prepare(
        _ order: DeploymentOrder, work: String, events: (DeploymentUpdate) -> Void
    ) async throws -> DeploymentSetup {
        let rollout = try order.selection.rollout(health: order.targets.map { _ in .unknown })
        let gated = try order.selection.gatedRollout(
            health: order.targets.map { _ in .unknown }, zones: order.targets.map(\.zone))
        let bundle = try await DeployBundle.prepare(order.bundle, order: order, work: work, events: events)
        let spec = try appspec(of: bundle.staged, events: events)
        var request = request(order, bundle: bundle, spec: spec)
        if order.deltas { request.deltas = deltas(bundle, repository: order.repository, work: work) }
        return DeploymentSetup(order: order, bundle: bundle, request: request, rollout: rollout, gated: gated)
    }

    /// The deltas hosts get from their installed revision: made from the staged bundle and the
    /// manifests this build box kept, once per base.
    static func deltas(_ bundle: DeployBundle, repository: String, work: String) -> DeltaBuilder? {
        guard let target = bundle.staged.report.manifest else { return nil }
        let cache = ManifestCache(repository: repository)
        let full = bundle.staged.transferPath
        // The bundle itself is sent (not a staged copy): its manifest and format are the report's.
        let known =
            full == bundle.path ? ArchiveFormat(rawValue: bundle.staged.report.format).map { (target, $0) } : nil
        return DeltaBuilder(
            target: target, directory: work, manifests: { cache.manifest(sha256: $0) },
            write: DeltaBuilder.writer(fullBundle: full, known: known))
    }

    /// The hosts' health classes as the journal has them.
    public func health(from journal: any DeploymentJournal) throws -> [RolloutHost.Health] {
        try journal.health(group: order.group.name, hosts: targets.map(\.name), revision: bundle.revision)
    }

    /// Orders the rollout by the hosts' health (the start check again, now with it).
    public mutating func reorder(health: [RolloutHost.Health]) throws(DeploymentRefusal) {
        rollout = try order.selection.rollout(health: health)
        gated = try order.selection.gatedRollout(health: health, zones: targets.map(\.zone))
    }

    /// What the deployment would do on each host, over `transports` (one per target, in
    /// order), changing nothing.
    public func previews(over transports: [any HostTransport]) async -> [HostPreview] {
        await withTaskGroup(of: (Int, HostPreview).self) { tasks in
            for (index, transport) in transports.enumerated() {
                tasks.addTask { [request] in (index, await HostDeployment(transport: transport).preview(request)) }
            }
            var all = [HostPreview?](repeating: nil, count: transports.count)
            for await (index, preview) in tasks { all[index] = preview }
            return all.map { $0! }
        }
    }

    /// How the journal keeps this deployment.
    var record: DeploymentRecord {
        DeploymentRecord(
            id: request.deploymentID, group: order.group.name, application: request.application,
            revision: bundle.revision, commit: bundle.commit, bundleSHA256: bundle.staged.report.sha256,
            bundlePath: bundle.path, configName: config.name, fileExistsBehavior: request.fileExistsBehavior,
            ignoreApplicationStopFailures: request.ignoreApplicationStopFailures, creator: order.creator,
            rollbackOf: order.rollbackOf, executionID: order.executionID)
    }

    /// The bundle's AppSpec, validated against its files.
    private static func appspec(of staged: StagedBundle, events: (DeploymentUpdate) -> Void) throws -> AppSpec {
        let tree = RevisionTree(files: staged.files)
        let (parsed, findings) = AppSpec.parse(staged.appspecText, file: staged.appspecName, tree: tree)
        guard let spec = parsed else { throw DeploymentRefusal.invalidAppSpec(findings) }
        if !findings.isEmpty { events(.appspecFindings(findings)) }
        return spec
    }

    private static func request(_ order: DeploymentOrder, bundle: DeployBundle, spec: AppSpec) -> DeploymentRequest {
        let group = order.group
        let groupID = DeploymentGroupID.make(application: order.application, group: group.name)
        return DeploymentRequest(
            deploymentID: DeploymentID.make(), application: order.application, groupName: group.name,
            groupID: groupID, layout: HostLayout(root: group.deploymentRoot, groupID: groupID), appspec: spec,
            files: bundle.staged.files, bundleSource: .standardInput(byteCount: bundle.upload.byteCount),
            bundleSHA256: bundle.uploadSHA256, upload: bundle.upload, commit: bundle.commit,
            events: order.selection.events, fileExistsBehavior: order.fileExistsBehavior ?? group.fileExistsBehavior,
            ignoreApplicationStopFailures: order.ignoreStopFailures, maxRevisions: group.maxRevisions)
    }
}
