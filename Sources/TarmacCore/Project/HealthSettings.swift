/// `zonal:` in a deployment configuration: deploy zone by zone, baking after each (issue 14).
public struct ZonalConfig: Sendable, Equatable {
    /// Seconds to bake after the first zone.
    public var firstZoneMonitorDuration: Int
    /// Seconds to bake after every other zone.
    public var monitorDuration: Int
    /// The hosts of a zone that stay healthy while it deploys; it sets the batches inside a zone.
    public var minimumHealthyPerZone: DeploymentConfig.Rule

    /// Creates a zonal configuration; the first zone bakes `monitorDuration` unless told otherwise.
    public init(
        monitorDuration: Int, firstZoneMonitorDuration: Int? = nil,
        minimumHealthyPerZone: DeploymentConfig.Rule = .hostCount(0)
    ) {
        self.monitorDuration = monitorDuration
        self.firstZoneMonitorDuration = firstZoneMonitorDuration ?? monitorDuration
        self.minimumHealthyPerZone = minimumHealthyPerZone
    }

    /// Seconds to bake after the zone at `index` (0 is the first zone).
    public func bakeSeconds(afterZone index: Int) -> Int {
        index == 0 ? firstZoneMonitorDuration : monitorDuration
    }
}

/// `health:` on a group: the commands that decide whether a deployed host is healthy.
public struct HealthSettings: Sendable, Equatable {
    /// Seconds between check rounds while baking, unless the group says otherwise.
    public static let defaultInterval = 10

    /// Seconds between check rounds while baking.
    public var interval: Int
    public var checks: [HealthCheck]

    /// Creates settings.
    public init(interval: Int = HealthSettings.defaultInterval, checks: [HealthCheck]) {
        self.interval = interval
        self.checks = checks
    }
}

/// One health check: a command that exits 0 when the host is healthy.
public struct HealthCheck: Sendable, Equatable {
    /// Seconds a check may run unless it says otherwise.
    public static let defaultTimeout = 10

    /// Where the command runs.
    public enum Place: String, Sendable, Equatable, CaseIterable {
        /// Over SSH on each deployed host, as the deployment's user.
        case host
        /// On the build box, once per host, with TARMAC_HOST_NAME, TARMAC_HOST_ADDRESS and DEPLOYMENT_ID set.
        case local
    }

    public var name: String
    public var command: String
    public var runOn: Place
    /// Seconds the command may run; it fails when it runs longer.
    public var timeout: Int

    /// Creates a check.
    public init(name: String, command: String, runOn: Place = .host, timeout: Int = HealthCheck.defaultTimeout) {
        self.name = name
        self.command = command
        self.runOn = runOn
        self.timeout = timeout
    }
}
