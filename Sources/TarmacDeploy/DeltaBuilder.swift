import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacHost

/// The deltas of one deployment (`deploy`, `plan`): one delta bundle per distinct base revision
/// the hosts report, made from the staged full bundle and the base's manifest the build box kept
/// in its `ManifestCache` when it built or deployed that revision; made once, on the first host
/// that asks, and streamed to each host that has that base.
public actor DeltaBuilder: DeltaProvider {
    /// Writes the delta bundle from the base (manifest, its SHA-256) to the deployment's
    /// revision at the given path.
    public typealias Write = @Sendable (_ base: BundleManifest, _ baseSHA256: String, _ output: String) throws -> Void

    let manifests: @Sendable (String) async -> BundleManifest?
    let write: Write
    let target: BundleManifest
    let directory: String
    /// One lookup per base: hosts that ask while it is being made wait for the same one.
    var made: [String: Task<DeltaLookup, Never>] = [:]

    public nonisolated var fullBundleAvailable: Bool { true }

    /// `manifests` finds a kept manifest by its SHA-256; deltas are written into `directory`.
    public init(
        target: BundleManifest, directory: String, manifests: @escaping @Sendable (String) async -> BundleManifest?,
        write: @escaping Write
    ) {
        self.target = target
        self.directory = directory
        self.manifests = manifests
        self.write = write
    }

    public func lookup(baseManifestSHA256 sha: String) async -> DeltaLookup {
        if let known = made[sha] { return await known.value }
        let making = Task { await self.make(sha) }
        made[sha] = making
        return await making.value
    }

    private func make(_ sha: String) async -> DeltaLookup {
        guard let base = await manifests(sha) else {
            return .unavailable(
                "the build box has no copy of the installed revision's manifest (sha256 \(sha.prefix(12)))")
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

    /// Writes the delta bundle from `fullBundle` (any container tarmac reads); `known` is its
    /// manifest and format when they were read from it already.
    public static func writer(
        fullBundle: String, known: (manifest: BundleManifest, format: ArchiveFormat)? = nil
    ) -> Write {
        { base, sha256, output in
            let record = DeltaRecord(
                baseRevision: base.revision, baseCommit: base.commit, baseCommitTime: base.commitTime,
                baseManifestSHA256: sha256)
            _ = try DeltaBundleWriter().write(
                fullBundle: fullBundle, known: known, base: base, record: record, to: output)
        }
    }
}
