import TarmacCore
import TarmacEngine
import TarmacHost

/// A delta bundle ready for the hosts whose installed revision is its base: what DownloadBundle
/// sends instead of the full bundle, and what the host program needs to rebuild the revision.
public struct DeltaOffer: Sendable {
    /// The base revision, its manifest's SHA-256 (the text of its `manifest.sha256`) and files.
    public var baseRevision: String
    public var baseManifestSHA256: String
    public var baseFiles: [BundleManifest.File]
    public var delta: BundleDelta
    /// Where the host finds the delta's tar, the tar's SHA-256, and the local file streamed to
    /// the host when the source is `.standardInput`.
    public var source: BundleSource
    public var sha256: String
    public var upload: ProgramInput?
    /// The bytes that cross the wire (the compressed delta file).
    public var byteCount: Int64

    public init(
        baseRevision: String, baseManifestSHA256: String, baseFiles: [BundleManifest.File], delta: BundleDelta,
        source: BundleSource, sha256: String, upload: ProgramInput?, byteCount: Int64
    ) {
        self.baseRevision = baseRevision
        self.baseManifestSHA256 = baseManifestSHA256
        self.baseFiles = baseFiles
        self.delta = delta
        self.source = source
        self.sha256 = sha256
        self.upload = upload
        self.byteCount = byteCount
    }
}

/// The answer to "is there a delta for this base?".
public enum DeltaLookup: Sendable {
    case offer(DeltaOffer)
    /// No delta: the full bundle goes, for this reason ("the build box has no copy of …").
    case unavailable(String)
}

/// Finds (and makes, once per base) the delta bundle for a host's installed revision.
public protocol DeltaProvider: Sendable {
    /// The delta from the revision whose manifest has this SHA-256 to the deployment's own.
    func lookup(baseManifestSHA256: String) async -> DeltaLookup
    /// Whether the full bundle can still be sent when a delta falls back (`apply` of a delta
    /// bundle has nothing else to send).
    var fullBundleAvailable: Bool { get }
}

/// `tarmac apply` of a delta bundle: the one delta there is, for the base `DeltaBase` accepted;
/// there is no full bundle to fall back to.
public struct AppliedDeltaProvider: DeltaProvider {
    public let applied: AppliedDelta
    /// The delta's tar as DownloadBundle finds it, its SHA-256 and size.
    public let source: BundleSource
    public let sha256: String
    public let byteCount: Int64

    public init(_ applied: AppliedDelta, source: BundleSource, sha256: String, byteCount: Int64) {
        self.applied = applied
        self.source = source
        self.sha256 = sha256
        self.byteCount = byteCount
    }

    public var fullBundleAvailable: Bool { false }

    public func lookup(baseManifestSHA256 sha: String) async -> DeltaLookup {
        guard sha == applied.baseManifestSHA256 else {
            return .unavailable("the installed revision changed since the delta was checked (manifest sha256 \(sha))")
        }
        return .offer(
            DeltaOffer(
                baseRevision: applied.record.baseRevision, baseManifestSHA256: sha, baseFiles: applied.baseFiles,
                delta: applied.delta, source: source, sha256: sha256, upload: nil, byteCount: byteCount))
    }
}
