import Crypto
import Foundation
import TarmacArchive
import TarmacCore

/// A delta bundle built from a repository, with the full bundle it was made from.
public struct DeltaBuildOutcome: Sendable {
    /// The full bundle of the target revision (in `.tarmac/artifacts/`), unsigned.
    public var full: BundleOutcome
    /// The manifest of the base revision, as its full bundle carries it.
    public var baseManifest: BundleManifest
    public var delta: DeltaBundleOutcome
    public var signaturePath: String?
}

extension BundleBuilder {
    /// Builds the delta bundle from revision `base` to the revision `options` name: the full
    /// bundle of the target (at its default place), the manifest of `base` built with the same
    /// settings (in a temporary directory, then removed), and the delta written to
    /// `options.output` (default: beside the full bundle) and signed as `options` ask.
    public func buildDelta(_ options: BundleOptions, base: String) async throws -> DeltaBuildOutcome {
        guard options.built == nil else {
            throw BundleError.invalidInput("a delta bundle is made of commits, not of a build output")
        }
        let signingKey = try options.signingKeyPath.map(loadSigningKey)
        let baseCommit: String
        do {
            baseCommit = try await repository.resolveCommit(base)
        } catch {
            throw BundleError.invalidInput("--base \(base) does not name a commit in \(repository.root)")
        }
        var fullOptions = options
        fullOptions.output = nil
        fullOptions.signingKeyPath = nil
        fullOptions.validity = nil
        let full = try await build(fullOptions)
        let format = ArchiveFormat(rawValue: full.manifest.format) ?? self.format
        let baseManifest = try await manifest(of: baseCommit, named: base, format: format)
        let record = DeltaRecord(
            baseRevision: baseManifest.revision, baseCommit: baseManifest.commit,
            baseCommitTime: baseManifest.commitTime,
            baseManifestSHA256: SHA256.hash(data: try baseManifest.encodedJSON()).hex)
        let output = options.output ?? Self.deltaPath(beside: full.path, format: format, base: baseManifest.revision)
        let fullPath = full.path
        let delta = try await runBlocking {
            try DeltaBundleWriter().write(
                fullBundle: fullPath, known: (full.manifest, format), base: baseManifest, record: record, to: output)
        }
        let signature = try await sign(
            output, manifest: delta.target, sha256: delta.sha256, key: signingKey, options: options)
        return DeltaBuildOutcome(full: full, baseManifest: baseManifest, delta: delta, signaturePath: signature)
    }

    /// `<dir>/<revision>.delta-from-<base, 12 digits>.<ext>` beside the full bundle.
    static func deltaPath(beside full: String, format: ArchiveFormat, base: String) -> String {
        let suffix = "." + format.fileExtension
        let stem = full.hasSuffix(suffix) ? String(full.dropLast(suffix.count)) : full
        return "\(stem).delta-from-\(base.prefix(12))\(suffix)"
    }

    /// The manifest the full bundle of `commit` carries in `format`: built, then thrown away.
    private func manifest(of commit: String, named name: String, format: ArchiveFormat) async throws
        -> BundleManifest
    {
        let directory = NSTemporaryDirectory() + "/tarmac-base-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = BundleOptions()
        options.revision = commit
        options.format = format
        options.output = directory + "/base." + format.fileExtension
        do {
            return try await build(options).manifest
        } catch BundleError.invalidRevision(let findings) {
            let errors = findings.filter { $0.severity == .error }.map(\.description)
            throw BundleError.invalidInput(
                "the base revision \(name) cannot be bundled, so no delta can be made from it:\n"
                    + errors.joined(separator: "\n"))
        }
    }
}
