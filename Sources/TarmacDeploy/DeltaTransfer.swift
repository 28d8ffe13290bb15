import TarmacCore
import TarmacEngine
import TarmacHost

/// A delta bundle ready for the hosts whose installed revision is its base: what DownloadBundle
/// sends instead of the full bundle, and what the host program needs to rebuild the revision.
public struct DeltaOffer: Sendable {
    /// The base revision's manifest, and its SHA-256 (the text of its `manifest.sha256`).
    public var base: BundleManifest
    public var baseManifestSHA256: String
    public var delta: BundleDelta
    /// Where the host finds the delta's tar, the tar's SHA-256, and the local file streamed to
    /// the host when the source is `.standardInput`.
    public var source: BundleSource
    public var sha256: String
    public var upload: ProgramInput?
    /// The bytes that cross the wire (the compressed delta file).
    public var byteCount: Int64

    public init(
        base: BundleManifest, baseManifestSHA256: String, delta: BundleDelta, source: BundleSource, sha256: String,
        upload: ProgramInput?, byteCount: Int64
    ) {
        self.base = base
        self.baseManifestSHA256 = baseManifestSHA256
        self.delta = delta
        self.source = source
        self.sha256 = sha256
        self.upload = upload
        self.byteCount = byteCount
    }

    public var baseRevision: String { base.revision }
}

/// The answer to "is there a delta for this base?".
public enum DeltaLookup: Sendable {
    case offer(DeltaOffer)
    /// No delta: the full bundle goes, for this reason ("the build box has no copy of …").
    case unavailable(String)
}

/// Finds (and makes, once per base) the delta bundle for a host's installed revision.
public protocol DeltaSource: Sendable {
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
