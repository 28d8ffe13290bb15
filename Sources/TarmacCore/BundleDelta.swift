/// What a delta from one revision to another carries and what it takes from the base.
///
/// A regular file of the target is *reused* when the base has a regular file at the same path
/// with the same SHA-256, size and mode: the host links it from the base revision's
/// deployment-archive. Every other regular file is *sent*. Directories and symbolic links
/// always travel (they cost a tar header each), so the host never needs the base for them.
public struct BundleDelta: Sendable, Equatable {
    /// The target's regular files taken from the base, in the target manifest's order.
    public var reused: [BundleManifest.File]
    /// The target's regular files the delta carries, in the target manifest's order.
    public var sent: [BundleManifest.File]
    /// Paths of the base's files and links that are not reused (gone from the target, changed,
    /// or links, which always travel): removed from the linked copy before the delta is
    /// unpacked over it, in base order.
    public var replaced: [String]
    /// The base's directories the target does not have, deepest first (removed once empty).
    public var droppedDirectories: [String]

    public init(
        reused: [BundleManifest.File], sent: [BundleManifest.File], replaced: [String], droppedDirectories: [String]
    ) {
        self.reused = reused
        self.sent = sent
        self.replaced = replaced
        self.droppedDirectories = droppedDirectories
    }

    /// The bytes of regular files the delta carries (before compression).
    public var sentBytes: Int64 { sent.reduce(0) { $0 + $1.size } }
    /// The bytes of regular files the host takes from the base.
    public var reusedBytes: Int64 { reused.reduce(0) { $0 + $1.size } }

    /// The delta that turns `base` into `target`.
    public static func between(base: BundleManifest, target: BundleManifest) -> BundleDelta {
        var baseFiles: [String: BundleManifest.File] = [:]
        for file in base.files { baseFiles[file.path] = file }
        var reused: [BundleManifest.File] = []
        var sent: [BundleManifest.File] = []
        var kept: Set<String> = []
        for file in target.files where file.type == .file {
            if let old = baseFiles[file.path], Self.sameContent(old, file) {
                reused.append(file)
                kept.insert(file.path)
            } else {
                sent.append(file)
            }
        }
        let replaced = base.files.filter { !kept.contains($0.path) && $0.type != .directory }.map(\.path)
        let targetDirectories = Set(target.files.filter { $0.type == .directory }.map(\.path))
        let dropped = base.files.filter { $0.type == .directory && !targetDirectories.contains($0.path) }.map(\.path)
            .sorted { ($0.split(separator: "/").count, $1) > ($1.split(separator: "/").count, $0) }
        return BundleDelta(reused: reused, sent: sent, replaced: replaced, droppedDirectories: dropped)
    }

    /// Whether a base file can stand for a target file: both regular, same digest, size and mode.
    static func sameContent(_ base: BundleManifest.File, _ target: BundleManifest.File) -> Bool {
        base.type == .file && target.type == .file && base.sha256 != nil && base.sha256 == target.sha256
            && base.size == target.size && base.mode == target.mode
    }
}

/// The record a delta bundle carries as `.tarmac/delta.json`, after the manifest and its
/// checksum: which revision it needs installed, named by its manifest's SHA-256 (the text of
/// that bundle's `.tarmac/manifest.sha256`, which the host keeps in the base's archive).
public struct DeltaRecord: Codable, Sendable, Equatable {
    public static let memberPath = ".tarmac/delta.json"
    public static let currentVersion = 1

    public var deltaVersion: Int
    public var baseRevision: String
    public var baseCommit: String
    public var baseCommitTime: Int64
    public var baseManifestSHA256: String

    public init(baseRevision: String, baseCommit: String, baseCommitTime: Int64, baseManifestSHA256: String) {
        self.deltaVersion = DeltaRecord.currentVersion
        self.baseRevision = baseRevision
        self.baseCommit = baseCommit
        self.baseCommitTime = baseCommitTime
        self.baseManifestSHA256 = baseManifestSHA256
    }

    enum CodingKeys: String, CodingKey {
        case deltaVersion = "delta_version"
        case baseRevision = "base_revision"
        case baseCommit = "base_commit"
        case baseCommitTime = "base_commit_time"
        case baseManifestSHA256 = "base_manifest_sha256"
    }
}
