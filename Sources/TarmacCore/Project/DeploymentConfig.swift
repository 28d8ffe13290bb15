/// A deployment configuration: how many hosts must stay healthy while a group is deployed (spec 6).
public struct DeploymentConfig: Sendable, Equatable {
    /// The minimum-healthy-hosts rule.
    public enum Rule: Sendable, Equatable {
        case hostCount(Int)
        case fleetPercent(Int)
        /// OneAtATime: every host but one stays healthy (all must succeed but the last).
        case oneAtATime
    }

    public var name: String
    public var rule: Rule
    /// `zonal:`: deploy zone by zone and bake after each zone.
    public var zonal: ZonalConfig?
    /// `bake:`: seconds to bake after every batch, without zones.
    public var bake: Int?

    /// Creates a configuration.
    public init(name: String, rule: Rule, zonal: ZonalConfig? = nil, bake: Int? = nil) {
        self.name = name
        self.rule = rule
        self.zonal = zonal
        self.bake = bake
    }

    /// All hosts at once; succeeds when at least one host succeeds.
    public static let allAtOnce = DeploymentConfig(name: "AllAtOnce", rule: .hostCount(0))
    /// Up to half the hosts at a time; at least half must succeed.
    public static let halfAtATime = DeploymentConfig(name: "HalfAtATime", rule: .fleetPercent(50))
    /// One host at a time; every host but the last must succeed.
    public static let oneAtATime = DeploymentConfig(name: "OneAtATime", rule: .oneAtATime)

    /// The predefined configurations.
    public static let predefined = [allAtOnce, halfAtATime, oneAtATime]

    /// The predefined configuration called `name` (also accepted with a `CodeDeployDefault.` prefix).
    public static func predefined(named name: String) -> DeploymentConfig? {
        let bare = name.hasPrefix("CodeDeployDefault.") ? String(name.dropFirst("CodeDeployDefault.".count)) : name
        return predefined.first { $0.name == bare }
    }

    /// M, the hosts that must stay healthy in a group of `hostCount` hosts (spec 6.2).
    public func minimumHealthy(hostCount n: Int) -> Int {
        switch rule {
        case .hostCount(let value): return value
        case .fleetPercent(let percent): return (percent * n + 99) / 100
        case .oneAtATime: return max(n - 1, 0)
        }
    }
}
