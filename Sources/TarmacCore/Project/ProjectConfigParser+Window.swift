import Foundation

/// Reads a group's `window: { cron: "* 9-16 * * MON-FRI", timezone: Europe/Berlin }`.
extension ProjectConfigParser {
    mutating func window(_ node: YAMLNode?, _ path: String) -> DeploymentWindow? {
        guard let node, !node.isNull else { return nil }
        let example = "{ cron: \"* 9-16 * * MON-FRI\", timezone: Europe/Berlin }"
        guard let pairs = reader.mapping(node, path, example: example) else { return nil }
        reader.checkKeys(pairs, allowed: ["cron", "timezone"], path, .reject)
        let cron = reader.requiredString(
            node["cron"], path + ".cron", owner: node, hint: "add e.g. cron: \"* 9-16 * * MON-FRI\"")
        let zone = reader.requiredString(
            node["timezone"], path + ".timezone", owner: node, hint: "add e.g. timezone: Europe/Berlin or UTC")
        var expression: CronExpression?
        if let cron, let cronNode = node["cron"] {
            switch Result(catching: { () throws(CronExpression.Problem) in try CronExpression.parse(cron) }) {
            case .success(let parsed): expression = parsed
            case .failure(let problem):
                reader.error("\(path).cron \(Quote.text(cron)) \(problem.message)", at: cronNode)
            }
        }
        var timeZone: TimeZone?
        if let zone, let zoneNode = node["timezone"] {
            timeZone = Self.knownZone(zone)
            if timeZone == nil {
                reader.error(
                    "\(path).timezone \(Quote.text(zone)) is not a time zone of the tz database; "
                        + "write e.g. Europe/Berlin, America/New_York or UTC", at: zoneNode)
            }
        }
        guard let expression, let timeZone else { return nil }
        let window = DeploymentWindow(cron: expression, timeZone: timeZone, zoneName: zone)
        if window.neverOpens {
            reader.error(
                "\(path).cron \(Quote.text(cron ?? "")) never opens: no month it names has the days it names",
                at: node["cron"] ?? node)
            return nil
        }
        return window
    }

    /// A tz database zone by its exact name (Foundation also accepts abbreviations such as "CET"
    /// and offsets such as "GMT+1"; only names it lists, and UTC, are taken).
    static func knownZone(_ name: String) -> TimeZone? {
        guard name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name) else { return nil }
        return TimeZone(identifier: name)
    }
}
