/// The stop rule of spec §6.2 for a health-gated rollout, and the start check that is the same
/// rule before any host has started.
extension GatedRollout {
    /// Why the next batch may not start: taking its hosts offline now, or a later batch's even
    /// if every host before it succeeded, would break the group's or its zone's minimum (the
    /// stop rule of spec §6.2: hosts unhealthy at the start may still turn healthy).
    func blocked() -> Rollout.Reason? {
        guard let found = firstBlocked() else { return nil }
        let zone = batches[found.batch].zone
        return haltReason(zone: zonePlan.zones[zone], zoneHealthy: zoneHealthy[zone], healthy: healthy)
    }

    /// The first batch from `next` on that could not start even if every host before it
    /// succeeded. A batch of hosts unhealthy at the start takes nothing healthy offline.
    func firstBlocked() -> (batch: Int, healthy: Int, zoneHealthy: Int, cost: Int)? {
        var healthy = self.healthy
        var zoneHealthy = self.zoneHealthy
        for position in batches.indices.dropFirst(next) {
            let batch = batches[position]
            let cost = batch.hosts.filter { initiallyHealthy[$0] }.count
            let zoneMinimum = zonePlan.zones[batch.zone].minimumHealthy
            if cost > 0 && (healthy - cost < zonePlan.minimumHealthy || zoneHealthy[batch.zone] - cost < zoneMinimum) {
                return (position, healthy, zoneHealthy[batch.zone], cost)
            }
            healthy += batch.hosts.count - cost
            zoneHealthy[batch.zone] += batch.hosts.count - cost
        }
        return nil
    }

    /// The start check with the hosts' health: a batch that could not start even if every host
    /// before it succeeded (hosts unhealthy at the start in later zones keep the group below
    /// its minimum). Nil when the rollout can go ahead.
    func unhealthyStartProblem(config: DeploymentConfig) -> String? {
        guard let found = firstBlocked() else { return nil }
        let zone = zonePlan.zones[batches[found.batch].zone]
        let size = batches[found.batch].hosts.count
        let inZone = found.zoneHealthy - found.cost < zone.minimumHealthy
        let unhealthy = initiallyHealthy.filter { !$0 }.count
        let limit =
            inZone
            ? "\(found.zoneHealthy - found.cost) healthy in the zone, which needs \(zone.minimumHealthy)"
            : "\(found.healthy - found.cost) healthy where the group needs \(zonePlan.minimumHealthy)"
        return "\(config.name) cannot deploy \(zone.label.map { "zone \(Quote.text($0))" } ?? "the group"): "
            + "\(unhealthy) of the group's \(groupSize) hosts \(unhealthy == 1 ? "is" : "are") unhealthy at the "
            + "start (the last deployment to \(unhealthy == 1 ? "it" : "them") failed), so taking a batch of \(size) "
            + "offline would leave \(limit), even if every host before it succeeded; the deployment cannot start. "
            + "Deploy to the unhealthy hosts first, or lower the minimum."
    }

    func haltReason(zone: ZonePlan.Zone, zoneHealthy: Int, healthy: Int) -> Rollout.Reason {
        guard let label = zone.label else {
            return .tooManyFailed(
                failed: failures, healthyLeft: healthy, minimumHealthy: zonePlan.minimumHealthy,
                notStarted: notStarted.count)
        }
        return .tooManyFailedInZone(
            failed: failures, healthyLeft: healthy, zone: label, zoneHealthy: zoneHealthy,
            zoneMinimum: zone.minimumHealthy, minimumHealthy: zonePlan.minimumHealthy, notStarted: notStarted.count)
    }
}
