/// A validated `tarmac.yml`: the application, how to bundle it, where it deploys, and the
/// pipeline; every default is filled in.
public struct ProjectConfig: Sendable, Equatable {
    public var application: String
    public var bundle: BundleSettings
    /// Custom deployment configurations, in written order.
    public var deploymentConfigs: [DeploymentConfig]
    /// Deployment groups, in written order.
    public var groups: [DeploymentGroup]
    public var pipeline: Pipeline?

    /// Creates a configuration.
    public init(
        application: String, bundle: BundleSettings = BundleSettings(), deploymentConfigs: [DeploymentConfig] = [],
        groups: [DeploymentGroup] = [], pipeline: Pipeline? = nil
    ) {
        self.application = application
        self.bundle = bundle
        self.deploymentConfigs = deploymentConfigs
        self.groups = groups
        self.pipeline = pipeline
    }

    /// The group named `name`, if any.
    public func group(named name: String) -> DeploymentGroup? {
        groups.first { $0.name == name }
    }
}

/// The archive formats a bundle can be written in.
public enum BundleFormat: String, Sendable, CaseIterable, Hashable {
    case tarGz = "tar.gz"
    case tarZst = "tar.zst"
    case tarXz = "tar.xz"
    case tar
    case zip
}

/// The `bundle` section.
public struct BundleSettings: Sendable, Equatable {
    /// The revision directory that becomes the bundle root, normalised; "." for the repository root.
    public var root: String
    public var format: BundleFormat

    /// Creates settings; the defaults are the repository root and tar.gz.
    public init(root: String = ".", format: BundleFormat = .tarGz) {
        self.root = root
        self.format = format
    }
}

/// One deployment group: its hosts, SSH settings, configuration and install options.
public struct DeploymentGroup: Sendable, Equatable {
    /// Where tarmac keeps bundles and bookkeeping on a host unless the group says otherwise.
    public static let defaultDeploymentRoot = "/var/lib/tarmac"
    /// How many revisions a host keeps unless the group says otherwise.
    public static let defaultMaxRevisions = 5
    /// How many bytes a bundle's files may unpack to unless the group says otherwise (4 GiB).
    public static let defaultMaxUnpackedSize: Int64 = 4 << 30

    public var name: String
    /// The stable group id used in host paths (see `DeploymentGroupID`).
    public var id: String
    public var hosts: [Host]
    /// The SSH user; nil means the current user.
    public var user: String?
    /// The SSH identity file; nil means the agent, then the usual key files.
    public var identity: String?
    public var knownHosts: String?
    /// The deployment configuration, resolved from a predefined or custom name.
    public var config: DeploymentConfig
    public var deploymentRoot: String = DeploymentGroup.defaultDeploymentRoot
    public var fileExistsBehavior: FileExistsBehavior = .disallow
    public var autoRollback = false
    public var ignoreApplicationStopFailures = false
    public var maxRevisions = DeploymentGroup.defaultMaxRevisions
    /// `max_unpacked_size`: a bundle whose files unpack to more is refused before any host is contacted.
    public var maxUnpackedSize = DeploymentGroup.defaultMaxUnpackedSize
    public var traffic: TrafficControl?
    public var sudo = false
    /// Seconds to wait for a host's TCP connection.
    public var connectTimeout = 10
    /// Seconds any wait on a host's SSH session may last before the host is failed (a dead link).
    public var ioTimeout = 30
    /// The `proxy_jump` chain, first hop first; nil when not set (then `~/.ssh/config`
    /// decides), empty for `none` (connect directly, whatever `~/.ssh/config` says).
    public var proxyJump: [JumpHost]?
    /// `window`: when deployments of the group may start; nil means any time.
    public var window: DeploymentWindow?
    /// `health:`: checks run after each host's ValidateService and in rounds while baking.
    public var health: HealthSettings?
    public var location: SourceLocation

    /// Creates a group with the defaults.
    public init(name: String, application: String, hosts: [Host], location: SourceLocation) {
        self.name = name
        self.id = DeploymentGroupID.make(application: application, group: name)
        self.hosts = hosts
        self.config = .allAtOnce
        self.location = location
    }

    /// One target host.
    public struct Host: Sendable, Equatable {
        public var name: String
        /// What SSH connects to; the name unless given.
        public var address: String
        public var port: Int
        /// The zone label, if the group deploys zone by zone.
        public var zone: String?

        /// Creates a host; the address defaults to the name and the port to 22.
        public init(name: String, address: String? = nil, port: Int = 22, zone: String? = nil) {
            self.name = name
            self.address = address ?? name
            self.port = port
            self.zone = zone
        }
    }

    /// The commands that take a host out of and back into service, run on the build box.
    public struct TrafficControl: Sendable, Equatable {
        public var block: String
        public var allow: String

        /// Creates traffic control commands.
        public init(block: String, allow: String) {
            self.block = block
            self.allow = allow
        }
    }
}
