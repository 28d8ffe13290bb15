/// The manifest that travels inside every tarmac bundle as its last member.
///
/// It names the revision and lists every member with its type, mode, size and SHA-256, in
/// archive order, so a host can verify a bundle before installing it and a later delta
/// transfer can compare two revisions file by file without unpacking either.
public struct BundleManifest: Codable, Sendable, Equatable {
    /// Reserved member path; never installed on a host, never allowed in a revision.
    public static let memberPath = ".tarmac/manifest.json"
    /// Reserved member after the manifest: its SHA-256 in `sha256sum` format, so a damaged
    /// manifest is detected even where the compressor's own check is never reached.
    public static let checksumMemberPath = ".tarmac/manifest.sha256"
    /// The reserved directory a revision must not use.
    public static let reservedDirectory = ".tarmac"
    public static let currentVersion = 1

    public enum FileType: String, Codable, Sendable {
        case file, directory, symlink
    }

    /// One member of the bundle.
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var type: FileType
        /// Permission bits as four octal digits, e.g. "0755".
        public var mode: String
        public var size: Int64
        public var sha256: String?
        public var target: String?

        public init(
            path: String, type: FileType, mode: String, size: Int64 = 0, sha256: String? = nil, target: String? = nil
        ) {
            self.path = path
            self.type = type
            self.mode = mode
            self.size = size
            self.sha256 = sha256
            self.target = target
        }
    }

    public var manifestVersion: Int
    public var application: String
    public var commit: String
    public var commitTime: Int64
    public var revision: String
    public var format: String
    public var appspec: String
    public var files: [File]

    public init(
        application: String, commit: String, commitTime: Int64, revision: String, format: String, appspec: String,
        files: [File]
    ) {
        self.manifestVersion = BundleManifest.currentVersion
        self.application = application
        self.commit = commit
        self.commitTime = commitTime
        self.revision = revision
        self.format = format
        self.appspec = appspec
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case manifestVersion = "manifest_version"
        case application, commit
        case commitTime = "commit_time"
        case revision, format, appspec, files
    }

    /// Total bytes of regular files.
    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    /// The checksum member's text for the manifest's bytes' SHA-256.
    public static func checksumText(sha256 hex: String) -> String {
        "\(hex)  manifest.json\n"
    }

    /// "0644" for 0o644.
    public static func modeString(_ permissions: UInt32) -> String {
        let octal = String(permissions & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - octal.count)) + octal
    }
}
