/// What the planner needs a host to report before it can plan an install: the state of
/// every target path (and its ancestors), which users and groups exist, and which tools
/// are there. Built from the AppSpec and the revision's file list alone.
public struct ProbeRequest: Sendable, Equatable {
    /// Absolute host paths, sorted, without duplicates.
    public var paths: [String]
    public var users: [String]
    public var groups: [String]
    public var tools: [String]

    public static let standardTools = [
        "sh", "tar", "gzip", "sha256sum", "setsid", "timeout", "runuser", "su", "setfacl", "semanage", "restorecon",
    ]

    public init(
        paths: [String] = [], users: [String] = [], groups: [String] = [], tools: [String] = ProbeRequest.standardTools
    ) {
        self.paths = Array(Set(paths)).sorted()
        self.users = Array(Set(users)).sorted()
        self.groups = Array(Set(groups)).sorted()
        self.tools = tools
    }
}

/// Where things live under a deployment root (spec §4.9, tarmac's names).
public struct HostLayout: Sendable, Equatable {
    public var root: String
    public var groupID: String

    public init(root: String, groupID: String) {
        self.root = root
        self.groupID = groupID
    }

    public var groupDirectory: String { "\(root)/\(groupID)" }
    public func deploymentDirectory(_ id: String) -> String { "\(groupDirectory)/\(id)" }
    public func archiveDirectory(_ id: String) -> String { "\(deploymentDirectory(id))/deployment-archive" }
    public func bundleFile(_ id: String) -> String { "\(deploymentDirectory(id))/bundle.tar" }
    public func scriptsLog(_ id: String) -> String { "\(deploymentDirectory(id))/logs/scripts.log" }
    public var instructions: String { "\(root)/deployment-instructions" }
    public var cleanupFile: String { "\(instructions)/\(groupID)-cleanup" }
    public var lastSuccessfulFile: String { "\(instructions)/\(groupID)_last_successful_install" }
    public var mostRecentFile: String { "\(instructions)/\(groupID)_most_recent_install" }
    public var aggregateLog: String { "\(root)/deployment-logs/tarmac-deployments.log" }
    /// The host-level lock: a directory made atomically with `mkdir`.
    public var lockDirectory: String { "\(root)/.tarmac-lock" }
}
