/// What one probe of a host reported: everything the planner may know about the host.
/// The planner never looks at a disk; it looks at this.
public struct HostFacts: Sendable, Equatable {
    /// What is at a path on the host (symlinks are not followed).
    public enum PathKind: String, Sendable, Equatable {
        case missing, file, directory, symlink, other
    }

    /// One deployment directory under `<deployment_root>/<group-id>/`, for retention (§4.9).
    public struct DeploymentDirectory: Sendable, Equatable {
        public var name: String
        /// Modification time, seconds since the epoch.
        public var mtime: Int64

        public init(name: String, mtime: Int64) {
            self.name = name
            self.mtime = mtime
        }
    }

    /// The host lock another run holds, as its info file says.
    public struct Lock: Sendable, Equatable {
        public var deploymentID: String
        public var pid: Int32
        public var startedAt: Int64
        /// False when the recorded process no longer exists on the host.
        public var holderAlive: Bool

        public init(deploymentID: String, pid: Int32, startedAt: Int64, holderAlive: Bool) {
            self.deploymentID = deploymentID
            self.pid = pid
            self.startedAt = startedAt
            self.holderAlive = holderAlive
        }
    }

    /// Every path the probe was asked about (install targets and their ancestors).
    public var paths: [String: PathKind] = [:]
    /// Users and groups asked about that exist on the host.
    public var users: Set<String> = []
    public var groups: Set<String> = []
    /// Tools found on PATH: setfacl, runuser, su, semanage, restorecon, setsid, timeout, tar, gzip, …
    public var tools: Set<String> = []
    /// The previous Install's cleanup record for this group, if any.
    public var cleanup: CleanupRecord?
    /// The deployment directory `_last_successful_install` names, and whether it still exists.
    public var lastSuccessful: String?
    public var lastSuccessfulExists = false
    /// A path in that directory (relative to it) that another user could have changed: a
    /// directory kept by an older tarmac with the bundle's modes. Its scripts must not run.
    public var lastSuccessfulUnsafe: String?
    /// The SHA-256 (64 lowercase hex digits) of the manifest of that directory's archive (its
    /// `.tarmac/manifest.sha256`): the base a delta bundle can start from.
    public var baseManifestSHA256: String?
    public var deployments: [DeploymentDirectory] = []
    /// Free bytes on the file system of the deployment root.
    public var freeBytes: Int64?
    public var lock: Lock?
    /// What `stat` says of the paths asked about that are regular files or directories (not links).
    public var stats: [String: PathStat] = [:]
    /// The user and primary group the programs run as (what a file Install makes is owned by).
    public var runnerUID: UInt32?
    public var runnerGID: UInt32?
    /// SHA-256 of existing files, from a `DigestProgram` run after the probe
    /// (`InstallPlanner.pathsToVerify`): what lets Install leave an unchanged file alone.
    public var digests: [String: String] = [:]
    /// What the group's last Install saw of the files it left (`InstallStatRecord`), if the
    /// host keeps one: what spares hashing the files it vouches for.
    public var installStat: InstallStatRecord?

    public init() {}

    /// What is at `path`; paths the probe was not asked about are unknown (nil).
    public func kind(of path: String) -> PathKind? { paths[path] }
}
