import Foundation
import TarmacBundle
import TarmacCore
import TarmacHost

/// The build box's deltas for one deployment: one delta bundle per distinct base revision the
/// hosts report, made from the staged full bundle and the base's manifest the build box kept
/// when it built or deployed that revision. Made once, on the first host that asks.
public actor BuildBoxDeltas: DeltaProvider {
    /// Writes the delta bundle from the base (manifest, its SHA-256) to the deployment's
    /// revision at the given path.
    public typealias Write = @Sendable (_ base: BundleManifest, _ baseSHA256: String, _ output: String) throws -> Void

    let manifests: @Sendable (String) -> BundleManifest?
    let write: Write
    let target: BundleManifest
    let directory: String
    var made: [String: DeltaLookup] = [:]

    public nonisolated var fullBundleAvailable: Bool { true }

    /// `manifests` finds a kept manifest by its SHA-256; deltas are written into `directory`.
    public init(
        target: BundleManifest, directory: String, manifests: @escaping @Sendable (String) -> BundleManifest?,
        write: @escaping Write
    ) {
        self.target = target
        self.directory = directory
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
        guard let base = manifests(sha) else {
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
                    source: .standardInput(byteCount: size), sha256: digest,
                    upload: ProgramInput(path: path, byteCount: size), byteCount: size))
        } catch {
            return .unavailable("the delta from \(base.revision) could not be made: \(error)")
        }
    }
}
