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

/// How a host got its revision's files: what DownloadBundle sent and why.
public struct Transfer: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case delta, full
    }

    public var kind: Kind
    /// The bytes sent to the host (the delta, or the full bundle; both when a delta fell back).
    public var bytes: Int64
    /// The base revision of a delta (also of one that fell back).
    public var baseRevision: String?
    /// Why the full bundle went: no base, no delta, or the delta fell back on the host.
    public var reason: String?
    /// Files the host took from its base, and files the delta carried.
    public var reusedFiles: Int = 0
    public var sentFiles: Int = 0

    public init(kind: Kind, bytes: Int64, baseRevision: String? = nil, reason: String? = nil) {
        self.kind = kind
        self.bytes = bytes
        self.baseRevision = baseRevision
        self.reason = reason
    }

    /// "delta from r1 (12.3 KiB, 1 of 2,548 files)" / "full bundle (65.9 MB; no revision installed)".
    public var summary: String {
        switch kind {
        case .delta:
            let total = reusedFiles + sentFiles
            return "delta from \(baseRevision ?? "?") (\(ByteSize.text(bytes)), \(sentFiles) of \(total) files)"
        case .full:
            return "full bundle (\(ByteSize.text(bytes))" + (reason.map { "; \($0)" } ?? "") + ")"
        }
    }
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
