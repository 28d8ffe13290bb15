import Crypto
import Foundation
import TarmacCore
import TarmacEngine

/// The revision a host has installed for a group, as a delta bundle needs it: the deployment
/// directory `_last_successful_install` names, and the manifest its archive keeps
/// (`deployment-archive/.tarmac/manifest.json` and `.sha256`).
public struct InstalledBase: Sendable, Equatable {
    public var deploymentDirectory: String
    /// The text of the archive's `.tarmac/manifest.sha256` as hex, when it is there and names
    /// the manifest beside it; nil otherwise (`problem` says why).
    public var manifestSHA256: String?
    public var manifest: BundleManifest?
    /// Why the base cannot be named by its manifest (none kept, a damaged one).
    public var problem: String?

    public init(
        deploymentDirectory: String, manifestSHA256: String?, manifest: BundleManifest?, problem: String? = nil
    ) {
        self.deploymentDirectory = deploymentDirectory
        self.manifestSHA256 = manifestSHA256
        self.manifest = manifest
        self.problem = problem
    }

    /// Judges the archive's two records: the checksum must be `sha256sum`'s line for the
    /// manifest's bytes, and the manifest must decode.
    public static func from(directory: String, checksum: [UInt8]?, manifest: [UInt8]?) -> InstalledBase {
        guard let checksum, let manifest else {
            return InstalledBase(
                deploymentDirectory: directory, manifestSHA256: nil, manifest: nil,
                problem: "its archive keeps no manifest (installed by an older tarmac, or not from a tarmac bundle)")
        }
        let digest = SHA256.hash(data: manifest).map { String(format: "%02x", $0) }.joined()
        guard String(decoding: checksum, as: UTF8.self) == BundleManifest.checksumText(sha256: digest),
            let decoded = try? BundleManifest.decode(manifest)
        else {
            return InstalledBase(
                deploymentDirectory: directory, manifestSHA256: nil, manifest: nil,
                problem: "its archive's manifest is damaged (it does not match manifest.sha256)")
        }
        return InstalledBase(deploymentDirectory: directory, manifestSHA256: digest, manifest: decoded)
    }
}

/// The apply-side decision for a delta bundle: it is accepted only where the host's installed
/// revision is the one its record names (by manifest digest); then the host reuses what
/// `delta` says from that revision's archive.
public enum DeltaBase {
    public enum Decision: Sendable, Equatable {
        case accept(AppliedDelta)
        /// Exit 2, nothing changed.
        case refuse(String)
    }

    public static func decide(
        record: DeltaRecord, target: BundleManifest, targetManifestSHA256: String, installed: InstalledBase?
    )
        -> Decision
    {
        let needs = "this delta needs revision \(record.baseRevision) installed"
        guard let installed else {
            return .refuse("\(needs); this host has no revision (apply the full bundle first)")
        }
        guard let sha256 = installed.manifestSHA256, let manifest = installed.manifest else {
            return .refuse(
                "\(needs); this host has no revision tarmac can name: \(installed.deploymentDirectory) \(installed.problem ?? "has no manifest") (apply the full bundle)"
            )
        }
        guard sha256 == record.baseManifestSHA256 else {
            if manifest.revision == record.baseRevision {
                return .refuse(
                    "\(needs); this host has \(manifest.revision) too, but bundled differently (manifest sha256 \(sha256), the delta needs \(record.baseManifestSHA256)): make the delta with the format and settings of the bundle this host installed (\(manifest.format)), or apply the full bundle"
                )
            }
            return .refuse(
                "\(needs); this host has \(manifest.revision) (manifest sha256 \(sha256), the delta needs \(record.baseManifestSHA256)); apply the full bundle, or a delta from \(manifest.revision)"
            )
        }
        return .accept(
            AppliedDelta(
                record: record, baseDeploymentDirectory: installed.deploymentDirectory,
                targetManifestSHA256: targetManifestSHA256, baseFiles: manifest.files,
                delta: BundleDelta.between(base: manifest, target: target)))
    }
}

/// What a deployment needs to install a delta bundle on a host: the base it links from and
/// what to take from it. `tarmac apply` fills it (after `DeltaBase` accepted the host's base);
/// HostMachine's DownloadBundle runs DeltaProgram with it instead of DownloadProgram.
public struct AppliedDelta: Sendable, Equatable {
    public var record: DeltaRecord
    /// The base revision's deployment directory on the host (`_last_successful_install`).
    public var baseDeploymentDirectory: String
    /// The SHA-256 of the target's manifest (the delta's `.tarmac/manifest.json`).
    public var targetManifestSHA256: String
    /// The host's base manifest's files in its order (`DeltaProgram.Base.files`); the target's
    /// are the request's `files` (the delta's full manifest).
    public var baseFiles: [BundleManifest.File]
    /// From the host's base manifest to the delta's full manifest.
    public var delta: BundleDelta

    public init(
        record: DeltaRecord, baseDeploymentDirectory: String, targetManifestSHA256: String,
        baseFiles: [BundleManifest.File], delta: BundleDelta
    ) {
        self.record = record
        self.baseDeploymentDirectory = baseDeploymentDirectory
        self.targetManifestSHA256 = targetManifestSHA256
        self.baseFiles = baseFiles
        self.delta = delta
    }

    /// The base's manifest digest: the delta record's, which `DeltaBase` checked against the host's.
    public var baseManifestSHA256: String { record.baseManifestSHA256 }
}
