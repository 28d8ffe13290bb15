/// What Install will do on one host, decided before anything is touched (spec §4, §5).
///
/// Steps run in order: the previous install's paths are removed (reverse creation order),
/// then directories are made and files copied in AppSpec order, then permissions applied.
/// Every path here is absolute on the host, except `source`, which is relative to the
/// unpacked revision (`deployment-archive/`).
public struct InstallPlan: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        /// Create a directory (mode 0755, owned by the runner); recorded in the cleanup file after creation.
        case makeDirectory(path: String)
        /// Copy a regular file atomically (temporary name in the same directory, then rename),
        /// with `mode`; recorded in the cleanup file before the copy. `replaces` says what the
        /// target currently is (OVERWRITE unlinks a file or symlink first).
        case copyFile(source: String, destination: String, mode: UInt32, replaces: HostFacts.PathKind)
        /// Re-create a symlink with the same link text, atomically; recorded like a copy.
        case symlink(target: String, destination: String, replaces: HostFacts.PathKind)
        /// A file RETAIN keeps: nothing is written and nothing recorded.
        case retain(destination: String)
        /// A file of the previous install that already is what this step would make it
        /// (`InstallPlannerKeep`): left alone, recorded like a copy. `stat` is what the probe
        /// saw (`PathStat.line`); Install checks it again before it changes anything.
        case keepFile(destination: String, stat: String)
        /// A directory of the previous install left in place (it holds kept files): recorded
        /// like a made one, checked like a kept file.
        case keepDirectory(path: String, stat: String)
    }

    /// What one permission entry does to one path: chown, then chmod, then setfacl, then label.
    public struct PermissionChange: Sendable, Equatable {
        public var path: String
        public var owner: String?
        public var group: String?
        public var mode: UInt32?
        /// The full ACL for `setfacl --set` (AppSpec entries plus synthesised base entries), if any.
        public var acl: [String]?
        /// SELinux file context: user, type, range (rendered `semanage fcontext -a`).
        public var selinuxUser: String?
        public var selinuxType: String?
        public var selinuxRange: String?

        public init(path: String) {
            self.path = path
        }
    }

    /// Paths of the previous install to remove, already in removal (reverse) order.
    public var removals: [String]
    /// SELinux rules of the previous install to delete (`semanage fcontext -d`).
    public var selinuxRemovals: [String]
    public var steps: [Step]
    public var permissions: [PermissionChange]
    /// The cleanup record this install leaves behind when every step succeeds.
    public var nextCleanup: CleanupRecord

    public init(
        removals: [String] = [], selinuxRemovals: [String] = [], steps: [Step] = [],
        permissions: [PermissionChange] = [], nextCleanup: CleanupRecord = CleanupRecord()
    ) {
        self.removals = removals
        self.selinuxRemovals = selinuxRemovals
        self.steps = steps
        self.permissions = permissions
        self.nextCleanup = nextCleanup
    }
}

/// Why an install cannot go ahead; every one is reported, with the path it concerns.
public struct PlanProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
