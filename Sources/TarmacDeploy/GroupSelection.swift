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

    /// The events every host runs: with traffic control, all thirteen.
    public var events: [DeploymentEvent] {
        group.traffic == nil
            ? LifecycleSequence.defaultEvents(trafficHooks: false) : LifecycleSequence.allEvents
    }
}
