/// The zones of a group and the batch arithmetic inside them (issue 14), shared by validation,
/// `plan` and `GatedRollout`.
public struct ZonePlan: Sendable, Equatable {
    /// One zone: its label (nil when the group has no zones) and its hosts' inventory indexes.
    public struct Zone: Sendable, Equatable {
        public var label: String?
        public var hosts: [Int]
        /// The hosts of this zone that stay healthy while it deploys.
        public var minimumHealthy: Int
        /// How many of its hosts deploy at once.
        public var batchSize: Int
        /// Seconds to bake after the zone (zonal) or after each of its batches (`bake:`); nil: no bake.
        public var bakeSeconds: Int?
        /// True when the bake follows every batch rather than the whole zone.
        public var bakeEachBatch: Bool

        /// The zone's hosts cut into batches, in order.
        public var batches: [[Int]] {
            guard batchSize > 0 else { return [hosts] }
            return stride(from: 0, to: hosts.count, by: batchSize).map {
                Array(hosts[$0..<min($0 + batchSize, hosts.count)])
            }
        }
    }

    public var zones: [Zone]
    /// M, the group-wide minimum.
    public var minimumHealthy: Int

    /// Zones in order of first appearance; hosts without a zone form one unnamed zone.
    /// `order` is the inventory indexes in deployment order (health classes first).
    public static func make(config: DeploymentConfig, zones labels: [String?], order: [Int]? = nil) -> ZonePlan {
        let n = labels.count
        let m = config.minimumHealthy(hostCount: n)
        let order = order ?? Array(labels.indices)
        var names: [String?] = []
        for index in labels.indices where !names.contains(labels[index]) { names.append(labels[index]) }
        if config.zonal == nil { names = [nil] }
        let zones = names.enumerated().map { position, name in
            let hosts = order.filter { config.zonal == nil || labels[$0] == name }
            let zoneMinimum =
                config.zonal.map { DeploymentConfig(name: "", rule: $0.minimumHealthyPerZone) }?
                .minimumHealthy(hostCount: hosts.count) ?? m
            let batch = config.zonal == nil ? n - m : min(hosts.count - zoneMinimum, n - m)
            let bake = config.zonal?.bakeSeconds(afterZone: position) ?? config.bake
            return Zone(
                label: name, hosts: hosts, minimumHealthy: zoneMinimum, batchSize: batch, bakeSeconds: bake,
                bakeEachBatch: config.zonal == nil)
        }
        return ZonePlan(zones: zones, minimumHealthy: m)
    }

    /// Why the plan cannot start: a zone where no host may be taken offline; nil when it can.
    public func startProblem(config: DeploymentConfig) -> String? {
        for zone in zones where zone.batchSize < 1 {
            let n = zone.hosts.count
            guard let label = zone.label else { return nil }
            let perZone = zone.minimumHealthy >= n
            let limit =
                perZone
                ? "minimum_healthy_hosts_per_zone keeps \(zone.minimumHealthy) of its \(n) host\(n == 1 ? "" : "s") healthy"
                : "the group-wide minimum keeps \(minimumHealthy) healthy"
            return "\(config.name) cannot deploy zone \(Quote.text(label)): \(limit), so no host in it may be "
                + "taken offline; the deployment cannot start. Lower the minimum or add hosts to the zone."
        }
        return nil
    }

    /// The shortest the rollout can take: the bakes alone, in seconds.
    public var minimumBakeSeconds: Int {
        zones.reduce(0) { total, zone in
            total + (zone.bakeSeconds ?? 0) * (zone.bakeEachBatch ? zone.batches.count : 1)
        }
    }
}
