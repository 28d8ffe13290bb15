import TarmacCore
import TarmacSigning

/// What `tarmac inspect` found in a bundle: its members, its manifest and whether to trust it.
public struct BundleReport: Sendable {
    public enum SignatureStatus: Sendable, Equatable {
        /// No `.sig` file next to the bundle.
        case absent
        /// Verifies; `trusted` when the signer is one of the keys the user trusts.
        case valid(signer: String, trusted: Bool)
        case invalid(String)

        /// The contract's word: `absent`, `valid` or `invalid`.
        public var word: String {
            switch self {
            case .absent: return "absent"
            case .valid: return "valid"
            case .invalid: return "invalid"
            }
        }
    }

    public var path: String
    public var sha256: String
    /// `tar.gz`, `tar.zst`, `tar.xz`, `tar.bz2`, `tar` or `zip`, as detected from the bytes.
    public var format: String
    /// Present for tarmac's own bundles; nil for revisions made by other tools.
    public var manifest: BundleManifest?
    /// True when the bundle has a manifest member, readable or not.
    public var hasManifestMember: Bool
    /// Members as found (the manifest member excluded), with their computed digests.
    public var files: [BundleManifest.File]
    /// The wrapper directory stripped from a foreign bundle (spec §1.1), if any.
    public var wrapperDirectory: String?
    public var appspecName: String?
    public var appspecText: String?
    /// Hostile members: reported as such, never followed.
    public var hostile: [String]
    /// Differences between members and the manifest.
    public var mismatches: [String]
    public var signature: SignatureStatus
    /// The signed statement beside the bundle (`<bundle>.statement`), when there is one.
    public var statement: BundleStatement?
    /// Worth a look, not refused: world-writable, setuid and setgid members.
    public var warnings: [String] = []
    /// The SHA-256 of the manifest member's bytes (what its checksum member names), when there is one.
    public var manifestSHA256: String?
    /// True when the bundle has a `.tarmac/delta.json` member, readable or not.
    public var hasDeltaMember = false
    /// What a delta bundle needs and carries; nil for a full bundle (or a damaged delta record).
    public var delta: DeltaSummary?
    /// Whether a plain-tar copy made during the read (`BundleStager`'s `unpackLocally`) holds every member.
    var teeComplete = true

    /// True when nothing is hostile, nothing differs from the manifest and no signature failed.
    public var isTrustworthy: Bool {
        guard hostile.isEmpty, mismatches.isEmpty else { return false }
        if case .invalid = signature { return false }
        return true
    }

    /// What a delta bundle needs installed on the host and what it carries.
    public struct DeltaSummary: Sendable, Equatable {
        public var record: DeltaRecord
        /// Regular files of the target the delta carries, and their bytes.
        public var carriedFiles: Int
        public var carriedBytes: Int64
        /// Regular files of the target the host takes from the base, and their bytes.
        public var reusedFiles: Int
        public var reusedBytes: Int64
        /// Regular files of the target revision.
        public var targetFiles: Int { carriedFiles + reusedFiles }
    }

    public var application: String? { manifest?.application }
    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    /// The revision's members relative to its root: the wrapper directory stripped and
    /// tarmac's reserved `.tarmac/` left out — what a host unpacks.
    public var revisionFiles: [BundleManifest.File] {
        let prefix = wrapperDirectory.map { $0 + "/" } ?? ""
        let reserved = BundleManifest.reservedDirectory
        return files.compactMap { file in
            guard file.path.hasPrefix(prefix), file.path.count > prefix.count else { return nil }
            var copy = file
            copy.path = String(file.path.dropFirst(prefix.count))
            return copy.path == reserved || copy.path.hasPrefix(reserved + "/") ? nil : copy
        }
    }
}
