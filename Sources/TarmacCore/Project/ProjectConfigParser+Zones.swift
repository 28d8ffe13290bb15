/// Checks a group's zones, configuration and health checks against each other (issue 14).
extension ProjectConfigParser {
    mutating func checkZones(_ group: DeploymentGroup, _ node: YAMLNode, _ path: String) {
        let items = node["hosts"]?.items ?? []
        let zoneNodes = items.map { $0["zone"].flatMap { $0.isNull ? nil : $0 } }
        let configNode = node["config"] ?? node
        let configPath = "\(path).config \(group.config.name)"
        if let firstIndex = zoneNodes.firstIndex(where: { $0 != nil }), let firstZone = zoneNodes[firstIndex] {
            for (index, item) in items.enumerated() where zoneNodes[index] == nil {
                reader.error(
                    "\(path).hosts[\(index)] has no zone, but hosts[\(firstIndex)] is in zone "
                        + "\(Quote.text(firstZone.scalar?.text ?? "")); give every host of the group a zone, or none",
                    at: item)
            }
            if group.config.zonal == nil {
                reader.warning(
                    "\(path).hosts have zones, but \(configPath) is not zonal, so the zones are ignored; "
                        + "add zonal: to the configuration or remove the zones", at: firstZone)
            } else if !zoneNodes.contains(where: { $0 == nil }) {
                checkZoneArithmetic(group, configNode, configPath)
            }
        } else if group.config.zonal != nil, !items.isEmpty {
            reader.error(
                "\(configPath) is zonal, but no host of the group has a zone; add zone: to every host, "
                    + "e.g. { name: web1, zone: a }, or choose a configuration without zonal", at: configNode)
        }
        if group.health == nil, group.config.zonal != nil || group.config.bake != nil, node["config"] != nil {
            reader.warning(
                "\(configPath) bakes, but \(path) has no health checks, so the bakes only wait; "
                    + "add health: { checks: [...] }", at: configNode)
        }
    }

    /// The per-zone start check at validation time: a zone where no host may go offline.
    private mutating func checkZoneArithmetic(_ group: DeploymentGroup, _ node: YAMLNode, _ configPath: String) {
        guard !group.hosts.isEmpty else { return }
        let plan = ZonePlan.make(config: group.config, zones: group.hosts.map(\.zone))
        for zone in plan.zones where zone.batchSize < 1 {
            let n = zone.hosts.count
            let reason =
                zone.minimumHealthy >= n
                ? "keeps \(zone.minimumHealthy) of zone \(Quote.text(zone.label ?? ""))'s \(n) host\(n == 1 ? "" : "s") healthy"
                : "keeps \(plan.minimumHealthy) of the group's \(group.hosts.count) hosts healthy"
            reader.warning(
                "\(configPath) \(reason), so no host in zone \(Quote.text(zone.label ?? "")) may be taken out and "
                    + "every deployment fails to start; lower minimum_healthy_hosts_per_zone or add hosts to the zone",
                at: node)
        }
    }
}
