/// A validated AppSpec (EC2/on-premises, Linux): what to copy, which permissions to set,
/// and which scripts to run at each lifecycle event.
///
/// Built only by `AppSpec.parse`, which returns a value only when the file has no errors.
public struct AppSpec: Sendable, Equatable {
    /// The `version` value as written (`0.0` or `0`).
    public var version: String
    /// Always `linux`.
    public var os: String
    public var files: [FileMapping]
    /// The AppSpec's own `file_exists_behavior`, which wins over the deployment's.
    public var fileExistsBehavior: FileExistsBehavior?
    public var permissions: [Permission]
    /// Hook events in the order written; events with no scripts are left out.
    public var hooks: [HookEvent]
    /// Where the document starts.
    public var location: SourceLocation

    /// Creates an AppSpec; validation lives in `parse`.
    public init(
        version: String = "0.0", os: String = "linux", files: [FileMapping] = [],
        fileExistsBehavior: FileExistsBehavior? = nil, permissions: [Permission] = [],
        hooks: [HookEvent] = [], location: SourceLocation
    ) {
        self.version = version
        self.os = os
        self.files = files
        self.fileExistsBehavior = fileExistsBehavior
        self.permissions = permissions
        self.hooks = hooks
        self.location = location
    }

    /// The scripts of one event (empty when the AppSpec has none for it).
    public func scripts(for event: String) -> [HookScript] {
        hooks.first { $0.name == event }?.scripts ?? []
    }

    /// The scripts of one event of a deployment's order.
    public func scripts(for event: DeploymentEvent) -> [HookScript] {
        scripts(for: event.name)
    }
}

/// What Install does when a destination file already exists (spec 4.7).
public enum FileExistsBehavior: String, Sendable, CaseIterable, Hashable {
    case disallow = "DISALLOW"
    case overwrite = "OVERWRITE"
    case retain = "RETAIN"
}

extension AppSpec {
    /// One `files` entry: a revision path copied into a host directory.
    public struct FileMapping: Sendable, Equatable {
        /// The source as written (trimmed).
        public var source: String
        /// The source relative to the bundle root, normalised; empty means the whole revision.
        public var sourcePath: String
        /// The destination directory, absolute and normalised.
        public var destination: String
        public var location: SourceLocation

        /// Creates a mapping.
        public init(source: String, destination: String, location: SourceLocation) {
            self.source = source
            self.sourcePath = RevisionTree.normalize(source)
            self.destination = PathRules.normalizeAbsolute(destination)
            self.location = location
        }
    }

    /// The kinds of filesystem object a permission entry applies to.
    public enum ObjectType: String, Sendable, CaseIterable, Hashable {
        case file, directory
    }

    /// One `permissions` entry (spec 1.6).
    public struct Permission: Sendable, Equatable {
        /// The host path, absolute and normalised.
        public var object: String
        public var pattern: String = "**"
        public var except: [String] = []
        public var owner: String?
        public var group: String?
        public var mode: FileMode?
        public var acls: [ACLEntry] = []
        public var context: SELinuxContext?
        public var types: [ObjectType] = [.file, .directory]
        public var location: SourceLocation

        /// Creates an entry with the AppSpec defaults.
        public init(object: String, location: SourceLocation) {
            self.object = object
            self.location = location
        }
    }

    /// The scripts of one lifecycle event.
    public struct HookEvent: Sendable, Equatable {
        /// The event name as written.
        public var name: String
        /// The lifecycle event, or nil for a custom event run only when named with `--events`.
        public var event: LifecycleEvent?
        public var scripts: [HookScript]
        public var location: SourceLocation

        /// Creates an event entry.
        public init(name: String, scripts: [HookScript], location: SourceLocation) {
            self.name = name
            self.event = LifecycleEvent(rawValue: name)
            self.scripts = scripts
            self.location = location
        }

        /// The sum of the scripts' timeouts, which a deployment caps per event (spec 3.9).
        public var timeoutSum: Int { scripts.reduce(0) { $0 + $1.timeout } }
    }

    /// One hook script entry.
    public struct HookScript: Sendable, Equatable {
        /// The default per-script timeout in seconds.
        public static let defaultTimeout = 3600

        /// The script path relative to the bundle root (leading `/` stripped, normalised).
        public var location: String
        public var timeout: Int = HookScript.defaultTimeout
        /// The user to run as; nil when absent or blank.
        public var runas: String?
        public var sudo: Bool = false
        /// Where the entry was written.
        public var sourceLocation: SourceLocation
        /// Where its `location` value was written (for messages about the script file).
        public var pathLocation: SourceLocation

        /// Creates a script entry with the default timeout.
        public init(location: String, sourceLocation: SourceLocation, pathLocation: SourceLocation? = nil) {
            self.location = RevisionTree.normalize(location)
            self.sourceLocation = sourceLocation
            self.pathLocation = pathLocation ?? sourceLocation
        }
    }
}
