import Foundation
import TarmacBundle
import TarmacCore
import TarmacHost

/// The deltas of one deployment: one delta bundle per distinct base revision the hosts report,
/// made from the staged full bundle and the base's manifest, once, on the first host that asks.
/// `deploy` and `plan` take the base's manifest from the build box's `ManifestCache` and stream
/// the delta to each host; `apply` of a full bundle takes it from the host's own installed
/// revision (root-checked) and hands the delta to DownloadBundle where it is, so a re-apply
/// or a small upgrade links the unchanged files instead of unpacking them again.
public actor DeltaBuilder: DeltaProvider {
    /// How the delta reaches DownloadBundle: streamed over the connection, or read where it is
    /// (a file tarmac wrote in its own private work directory on the host).
    public enum Delivery: Sendable {
        case upload, verifiedFile
    }

    /// Writes the delta bundle from the base (manifest, its SHA-256) to the deployment's
    /// revision at the given path.
    public typealias Write = @Sendable (_ base: BundleManifest, _ baseSHA256: String, _ output: String) throws -> Void

    let manifests: @Sendable (String) async -> BundleManifest?
    let write: Write
    let target: BundleManifest
    let directory: String
    let delivery: Delivery
    var made: [String: DeltaLookup] = [:]

    public nonisolated var fullBundleAvailable: Bool { true }

    /// `manifests` finds a kept manifest by its SHA-256; deltas are written into `directory`.
    public init(
        target: BundleManifest, directory: String, delivery: Delivery = .upload,
        manifests: @escaping @Sendable (String) async -> BundleManifest?, write: @escaping Write
    ) {
        self.target = target
        self.directory = directory
        self.delivery = delivery
        self.manifests = manifests
        self.write = write
    }

    public func lookup(baseManifestSHA256 sha: String) async -> DeltaLookup {
        if let known = made[sha] { return known }
        let lookup = await make(sha)
        made[sha] = lookup
        return lookup
    }

    private func make(_ sha: String) async -> DeltaLookup {
        guard let base = await manifests(sha) else {
            return .unavailable("the build box has no copy of the installed revision's manifest (sha256 \(sha.prefix(12)))")
        }
        guard base.application == target.application else {
            return .unavailable("the installed revision belongs to application \(base.application)")
        }
        let path = directory + "/delta-from-\(sha.prefix(16))"
        let write = self.write
        do {
            let (size, digest) = try await runBlocking {
                try write(base, sha, path)
                let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64 ?? 0
                return (size, try FileDigest.sha256Hex(ofFileAt: path))
            }
            return .offer(
                DeltaOffer(
                    baseRevision: base.revision, baseManifestSHA256: sha, baseFiles: base.files,
                    delta: BundleDelta.between(base: base, target: target),
                    source: delivery == .upload ? .standardInput(byteCount: size) : .verifiedFile(path),
                    sha256: digest, upload: delivery == .upload ? ProgramInput(path: path, byteCount: size) : nil,
                    byteCount: size))
        } catch {
            return .unavailable("the delta from \(base.revision) could not be made: \(error)")
        }
    }

    /// Writes the delta bundle from `fullBundle` (any container tarmac reads).
    public static func writer(fullBundle: String) -> Write {
        { base, sha256, output in
            let record = DeltaRecord(
                baseRevision: base.revision, baseCommit: base.commit, baseCommitTime: base.commitTime,
                baseManifestSHA256: sha256)
            _ = try DeltaBundleWriter().write(fullBundle: fullBundle, base: base, record: record, to: output)
        }
    }
}
