/// The scripts of one lifecycle event on one host, ready to render as a hook program
/// (spec §3): what runs, in which order, as whom, for how long, and where it is logged.
public struct HookRun: Sendable, Equatable {
    /// One `hooks:` entry of the AppSpec, resolved to a path on the host.
    public struct Script: Sendable, Equatable {
        /// Absolute path on the host: `<deployment dir>/deployment-archive/<location>`.
        public var path: String
        /// The location as the AppSpec names it (for messages and `scripts.log`).
        public var location: String
        /// Seconds the script may run before its process group is stopped; at least 1.
        public var timeout: Int
        /// The user to run the script as; `nil` runs it as the program's own user.
        public var runas: String?

        /// The deployment archive the script lies in (`path` without `/<location>`), when
        /// `path` has that form: a runas user is let into it.
        var archive: String? {
            let suffix = "/" + location
            guard path.hasSuffix(suffix) else { return nil }
            let archive = String(path.dropLast(suffix.count))
            return archive.hasSuffix("/deployment-archive") ? archive : nil
        }

        public init(path: String, location: String, timeout: Int = 3600, runas: String? = nil) {
            self.path = path
            self.location = location
            self.timeout = timeout
            self.runas = runas
        }
    }

    /// The lifecycle event, e.g. `ApplicationStart` (or a custom event name).
    public var event: String
    public var deploymentID: String
    /// In AppSpec order; the first failure ends the event.
    public var scripts: [Script]
    /// Variables given to every script on top of the clean base environment (spec §3.4):
    /// `LIFECYCLE_EVENT`, `DEPLOYMENT_ID`, `APPLICATION_NAME`, `DEPLOYMENT_GROUP_NAME`,
    /// `DEPLOYMENT_GROUP_ID`, `BUNDLE_COMMIT`, `TARMAC_*`… `LIFECYCLE_EVENT` and
    /// `DEPLOYMENT_ID` default to `event` and `deploymentID`.
    public var environment: [String: String]
    /// `<deployment dir>/logs/scripts.log` of the current deployment (even for ApplicationStop).
    public var scriptsLog: String
    /// `<root>/deployment-logs/tarmac-deployments.log`.
    public var aggregateLog: String

    public init(
        event: String, deploymentID: String, scripts: [Script], environment: [String: String] = [:],
        scriptsLog: String, aggregateLog: String
    ) {
        self.event = event
        self.deploymentID = deploymentID
        self.scripts = scripts
        self.environment = environment
        self.scriptsLog = scriptsLog
        self.aggregateLog = aggregateLog
    }

    /// A run whose logs sit where the host layout puts them for `deploymentID`.
    public init(
        event: String, deploymentID: String, scripts: [Script], environment: [String: String] = [:],
        layout: HostLayout
    ) {
        self.init(
            event: event, deploymentID: deploymentID, scripts: scripts, environment: environment,
            scriptsLog: layout.scriptsLog(deploymentID), aggregateLog: layout.aggregateLog)
    }

    /// The environment the scripts get on top of the base, in a stable order; names that
    /// are not valid shell variable names are left out (they could not be set reliably).
    var scriptEnvironment: [(name: String, value: String)] {
        var all = environment
        if all["LIFECYCLE_EVENT"] == nil { all["LIFECYCLE_EVENT"] = event }
        if all["DEPLOYMENT_ID"] == nil { all["DEPLOYMENT_ID"] = deploymentID }
        return all.filter { HookRun.isVariableName($0.key) }
            .sorted { $0.key < $1.key }
            .map { (name: $0.key, value: $0.value) }
    }

    /// Names of `environment` entries that cannot be passed to a script.
    public var invalidEnvironmentNames: [String] {
        environment.keys.filter { !HookRun.isVariableName($0) }.sorted()
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        }
    }
}
