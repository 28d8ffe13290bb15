/// Reads the health-gated rollout keys (issue 14): `zonal:` and `bake:` in deployment
/// configurations, `zone:` on hosts, `health:` on groups, and checks them against each other.
extension ProjectConfigParser {
    static let gateKeys = ["zonal", "bake"]
    static let zonalKeys = ["first_zone_monitor_duration", "monitor_duration", "minimum_healthy_hosts_per_zone"]
    static let healthKeys = ["interval", "checks"]
    static let checkKeys = ["name", "command", "run_on", "timeout"]

    /// `zonal:` and `bake:` of one deployment configuration.
    mutating func gates(_ node: YAMLNode, _ path: String) -> (ZonalConfig?, Int?) {
        guard node.pairs != nil else { return (nil, nil) }
        let bake = node["bake"].flatMap { count($0, path + ".bake", minimum: 1) }
        guard let zonalNode = node["zonal"], !zonalNode.isNull else { return (nil, bake) }
        if let bakeNode = node["bake"], !bakeNode.isNull {
            reader.error(
                "\(path).bake and \(path).zonal exclude each other; a zonal configuration bakes after each zone "
                    + "(monitor_duration), bake: after each batch of a group without zones", at: bakeNode)
        }
        return (zonal(zonalNode, path + ".zonal"), nil)
    }

    private mutating func zonal(_ node: YAMLNode, _ path: String) -> ZonalConfig? {
        let example = "{ monitor_duration: 60, minimum_healthy_hosts_per_zone: { type: HOST_COUNT, value: 1 } }"
        guard let pairs = reader.mapping(node, path, example: example) else { return nil }
        reader.checkKeys(pairs, allowed: Self.zonalKeys, path, .reject)
        guard let durationNode = node["monitor_duration"], !durationNode.isNull else {
            reader.error(
                "\(path).monitor_duration is missing; add the seconds to bake after each zone, e.g. 60", at: node)
            return nil
        }
        let duration = count(durationNode, path + ".monitor_duration", minimum: 0)
        let first = node["first_zone_monitor_duration"].flatMap {
            count($0, path + ".first_zone_monitor_duration", minimum: 0)
        }
        var perZone = DeploymentConfig.Rule.hostCount(0)
        if let ruleNode = node["minimum_healthy_hosts_per_zone"], !ruleNode.isNull {
            guard let rule = rule(ruleNode, path + ".minimum_healthy_hosts_per_zone") else { return nil }
            perZone = rule
        }
        guard let duration else { return nil }
        return ZonalConfig(monitorDuration: duration, firstZoneMonitorDuration: first, minimumHealthyPerZone: perZone)
    }

    /// A whole number of seconds, at least `minimum`; nil when absent or wrong.
    private mutating func count(_ node: YAMLNode, _ path: String, minimum: Int) -> Int? {
        guard !node.isNull, let value = reader.integer(node, path) else { return nil }
        guard value >= minimum else {
            reader.error("\(path) \(value) must be \(minimum) or more (seconds)", at: node)
            return nil
        }
        return value
    }

    /// `zone:` of one host: any label without control characters.
    mutating func zone(_ node: YAMLNode?, _ path: String) -> String? {
        guard let node, !node.isNull, let text = reader.string(node, path) else { return nil }
        let bad =
            text.trimmingSpaces.isEmpty || text.count > 100
            || text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        guard bad else { return text }
        reader.error(
            "\(path) \(Quote.text(text)) is not a zone label; write 1–100 characters, e.g. a or eu-1a", at: node)
        return nil
    }

    /// `health:` of a group.
    mutating func health(_ node: YAMLNode?, _ path: String) -> HealthSettings? {
        let example = "{ interval: 10, checks: [{ name: app, command: \"curl -fsS localhost/health\" }] }"
        guard let node, !node.isNull, let pairs = reader.mapping(node, path, example: example) else { return nil }
        reader.checkKeys(pairs, allowed: Self.healthKeys, path, .reject)
        let interval = node["interval"].flatMap { count($0, path + ".interval", minimum: 1) }
        guard let checksNode = node["checks"], !checksNode.isNull else {
            reader.error(
                "\(path).checks is missing; list at least one check, e.g. checks: [{ name: app, command: ./health }]",
                at: node)
            return nil
        }
        guard let items = reader.list(checksNode, path + ".checks", example: "[{ name: app, command: ./health }]")
        else { return nil }
        if items.isEmpty { reader.error("\(path).checks is empty; list at least one check", at: checksNode) }
        var checks: [HealthCheck] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            guard let check = check(item, "\(path).checks[\(index)]") else { continue }
            if let first = seen[check.name] {
                reader.error(
                    "\(path).checks[\(index)] repeats the check name \(Quote.text(check.name)) of line \(first); "
                        + "check names must be unique in a group", at: item)
                continue
            }
            seen[check.name] = item.location.line
            checks.append(check)
        }
        guard checks.count == items.count, !items.isEmpty else { return nil }
        return HealthSettings(interval: interval ?? HealthSettings.defaultInterval, checks: checks)
    }

    private mutating func check(_ item: YAMLNode, _ path: String) -> HealthCheck? {
        let example = "{ name: app, command: \"curl -fsS http://localhost:8080/health\", run_on: host, timeout: 5 }"
        guard let pairs = reader.mapping(item, path, example: example) else { return nil }
        reader.checkKeys(pairs, allowed: Self.checkKeys, path, .reject)
        var name: String?
        if let text = reader.requiredString(item["name"], path + ".name", owner: item, hint: "add e.g. name: app"),
            let node = item["name"]
        {
            name = checkedName(text, node, path + ".name")
        }
        let command = reader.requiredString(
            item["command"], path + ".command", owner: item, hint: "give the command; exit 0 means healthy")
        var place: HealthCheck.Place? = .host
        if let node = item["run_on"], !node.isNull, let text = reader.string(node, path + ".run_on") {
            place = HealthCheck.Place(rawValue: text)
            if place == nil {
                reader.error("\(path).run_on \(Quote.text(text)) is not valid; use host or local", at: node)
            }
        }
        let timeout = item["timeout"].flatMap { count($0, path + ".timeout", minimum: 1) }
        if let node = item["timeout"], !node.isNull, timeout == nil { return nil }
        guard let name, let command, let place else { return nil }
        return HealthCheck(name: name, command: command, runOn: place, timeout: timeout ?? HealthCheck.defaultTimeout)
    }
}
