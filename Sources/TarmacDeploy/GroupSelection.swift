import TarmacCore
import TarmacEngine

/// The group a deployment goes to and the deployment configuration it runs with.
public struct GroupSelection: Sendable {
    public var group: DeploymentGroup
    public var config: DeploymentConfig

    public init(group: DeploymentGroup, config: DeploymentConfig) {
        self.group = group
        self.config = config
    }

    /// The start check (spec §6.2): the rollout of hosts with this health, or the arithmetic
    /// of why no host may go offline.
    public func rollout(health: [RolloutHost.Health]) throws(DeploymentRefusal) -> Rollout {
        switch Rollout.plan(config: config, hosts: health.map { RolloutHost(health: $0) }) {
        case .success(let rollout): return rollout
        case .failure(let failure): throw .startCheck(group: group.name, failure)
        }
    }

    /// The health-gated rollout (issue 14) when the configuration has zones or bakes, nil
    /// otherwise; the start check covers the per-zone arithmetic.
    public func gatedRollout(health: [RolloutHost.Health], zones: [String?]) throws(DeploymentRefusal) -> GatedRollout?
    {
        guard config.zonal != nil || config.bake != nil else { return nil }
        let hosts = health.map { RolloutHost(health: $0) }
        switch GatedRollout.plan(config: config, hosts: hosts, zones: zones, health: group.health) {
        case .success(let rollout): return rollout
        case .failure(.group(let failure)): throw .startCheck(group: group.name, failure)
        case .failure(.zone(let reason)): throw .zoneCheck(group: group.name, reason)
        }
    }

    /// The events every host runs: with traffic control, all thirteen.
    public var events: [DeploymentEvent] {
        group.traffic == nil
            ? LifecycleSequence.defaultEvents(trafficHooks: false) : LifecycleSequence.allEvents
    }
}
