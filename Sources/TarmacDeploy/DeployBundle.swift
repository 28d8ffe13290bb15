import Foundation
import TarmacBundle
import TarmacCore
import TarmacHost

/// The bundle a group deployment sends: built from a revision (or given), verified, and
/// staged; `upload` is what goes over the wire to each host's DownloadBundle.
public struct DeployBundle: Sendable {
    /// Where the bundle comes from.
    public enum Source: Sendable {
        /// Built from `revision` (a commit or tag) of the repository.
        case build(BundleBuilder, revision: String)
        /// A bundle file from elsewhere (an absolute path), or one kept by an earlier deployment.
        case given(String)
    }

    public var path: String
    public var staged: StagedBundle
    /// The file streamed to every host, and its SHA-256 (checked on the host).
    public var upload: ProgramInput
    public var uploadSHA256: String

    public var revision: String { staged.report.manifest?.revision ?? String(staged.report.sha256.prefix(12)) }
    public var commit: String? { staged.report.manifest?.commit }

    /// Builds the bundle (unless one is given), then stages it in `work`. Reading the bundle
    /// stops at the group's `max_unpacked_size`. Throws a `DeploymentRefusal` when it cannot.
    static func prepare(
        _ source: Source, order: DeploymentOrder, work: String, events: (DeploymentUpdate) -> Void
    ) async throws -> DeployBundle {
        let path: String
        let limits = UnpackLimits(maxBytes: order.group.maxUnpackedSize)
        // A bundle built here is inspected as it is written, not read back once more.
        var scanned: BundleReport?
        switch source {
        case .given(let given):
            path = try keep(given, repository: order.repository, application: order.application)
        case .build(let builder, let revision):
            var options = BundleOptions()
            options.revision = revision
            options.scanLimits = limits
            let outcome: BundleOutcome
            do {
                outcome = try await builder.build(options)
            } catch let error as BundleError {
                throw DeploymentRefusal.bundleNotBuilt(error)
            }
            events(.bundled(outcome))
            path = outcome.path
            scanned = outcome.scanned
        }
        let staged: StagedBundle
        do {
            staged = try await BundleStager().stage(
                path, trustedKeys: [], into: work, limits: limits, scanned: scanned)
        } catch let error as BundleError {
            throw DeploymentRefusal.bundleNotStaged(error)
        }
        if staged.delta != nil {
            throw DeploymentRefusal.bundleNotStaged(
                .invalidInput(
                    "\(path) is a delta bundle (`tarmac bundle --base`), for `tarmac apply` on a host that has its base; deploy the full bundle"
                ))
        }
        ManifestCache(repository: order.repository).keep(staged.report)
        let size = try FileManager.default.attributesOfItem(atPath: staged.transferPath)[.size] as? Int64 ?? 0
        return DeployBundle(
            path: path, staged: staged, upload: ProgramInput(path: staged.transferPath, byteCount: size),
            uploadSHA256: staged.transferSHA256)
    }

    /// A bundle given from elsewhere is copied into `.tarmac/artifacts/` so a later rollback
    /// still has it; one already there is used where it is.
    static func keep(_ path: String, repository: String, application: String) throws(DeploymentRefusal) -> String {
        let artifacts = repository + "/.tarmac/artifacts/"
        guard !path.hasPrefix(artifacts) else { return path }
        let directory = artifacts + application + "/given"
        let copy = directory + "/" + (path as NSString).lastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
        } catch {
            throw .bundleUnreadable(path: path, reason: error.localizedDescription)
        }
        return copy
    }
}
