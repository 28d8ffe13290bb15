import ArgumentParser
import Foundation
import TarmacBundle
import TarmacCore
import TarmacHost

/// The bundle a group deployment sends: built from a revision (or given), verified, and
/// staged; `upload` is what goes over the wire to each host's DownloadBundle.
struct DeployBundle {
    var path: String
    var staged: StagedBundle
    /// The file streamed to every host, and its SHA-256 (checked on the host).
    var upload: ProgramInput
    var uploadSHA256: String

    var revision: String { staged.report.manifest?.revision ?? String(staged.report.sha256.prefix(12)) }
    var commit: String? { staged.report.manifest?.commit }

    /// Builds the bundle of `rev` (default HEAD) unless `given` names one, then stages it in `work`.
    /// Reading the bundle stops at `maxUnpackedSize` (the group's `max_unpacked_size`).
    static func prepare(
        project: ProjectContext, rev: String?, given: String?, work: String, maxUnpackedSize: Int64
    ) async throws -> DeployBundle {
        let path: String
        if let given {
            path = try keep(Console.absolute(given), project: project)
        } else {
            var options = BundleOptions()
            options.revision = rev ?? "HEAD"
            let builder = BundleBuilder(
                repository: project.repository, application: project.application, bundle: project.bundle)
            let outcome = try await BundleCommand.build(builder, options)
            BundleCommand.warnings(outcome, hint: "only committed work is deployed; commit them first")
            Console.say("bundled \(outcome.manifest.revision) → \(outcome.path)")
            path = outcome.path
        }
        let staged: StagedBundle
        do {
            staged = try await BundleStager().stage(
                path, trustedKeys: [], into: work, limits: UnpackLimits(maxBytes: maxUnpackedSize))
        } catch let error as BundleError {
            Console.say("error: \(error)")
            Console.say("no host was contacted")
            throw ExitCode(error.isInvalidInput ? Exit.invalidInput : Exit.failed)
        }
        let size = try FileManager.default.attributesOfItem(atPath: staged.transferPath)[.size] as? Int64 ?? 0
        return DeployBundle(
            path: path, staged: staged, upload: ProgramInput(path: staged.transferPath, byteCount: size),
            uploadSHA256: staged.transferSHA256)
    }

    /// A bundle given from elsewhere is copied into `.tarmac/artifacts/` so a later rollback
    /// still has it; one already there is used where it is.
    static func keep(_ path: String, project: ProjectContext) throws -> String {
        let artifacts = project.repository.root + "/.tarmac/artifacts/"
        guard !path.hasPrefix(artifacts) else { return path }
        let directory = artifacts + project.application + "/given"
        let copy = directory + "/" + (path as NSString).lastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
        } catch {
            Console.say("error: cannot read \(path): \(error.localizedDescription)")
            throw ExitCode(Exit.invalidInput)
        }
        return copy
    }
}
