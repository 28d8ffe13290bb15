import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHistory

/// `tarmac plan`'s output: the rollout and, per host, file changes and event scripts.
struct PlanReport {
    let request: DeploymentRequest
    let bundle: DeployBundle
    let config: DeploymentConfig
    let rollout: Rollout
    let hosts: [(name: String, address: String, preview: HostPreview)]
    /// The group's window now (`.always` without one: then nothing is said).
    var window = WindowState.always
    /// Zones, batches and bakes when the configuration has them (issue 14).
    var gated: GatedRollout? = nil

    /// How many paths of each kind the text lists before "… and N more".
    static let listed = 20

    func print() {
        Console.say("plan for group \(request.groupName): \(request.application) \(bundle.revision)")
        Console.say(
            "configuration \(config.name): \(rollout.order.count) hosts, \(rollout.batchSize) at a time, "
                + "\(rollout.minimumHealthy) must stay healthy; every host receives the bundle before the first starts")
        Console.say("order: " + rollout.order.map { hosts[$0].name }.joined(separator: ", "))
        if window != .always {
            let verdict =
                if case .closed = window { "deploy refuses now (--outside-window overrides)" } else {
                    "deploy may start now"
                }
            Console.say("\(window.description): \(verdict)")
        }
        printZones()
        for host in hosts {
            Console.say("")
            Console.say("\(host.name) (\(host.address))")
            printHost(host.preview)
        }
    }

    private func printHost(_ preview: HostPreview) {
        for problem in preview.problems { Console.say("  error: \(problem)") }
        if let install = preview.install {
            Console.say(
                "  files: \(install.added.count) added, \(install.changed.count) changed, "
                    + "\(install.removed.count) removed, \(install.unchanged.count) unchanged"
                    + (install.retained.isEmpty ? "" : ", \(install.retained.count) retained"))
            list("+", install.added)
            list("~", install.changed)
            list("-", install.removed)
        }
        for event in preview.events where !event.scripts.isEmpty || event.revision != "new revision" {
            let scripts = event.scripts.isEmpty ? "no scripts" : event.scripts.joined(separator: ", ")
            Console.say("  \(event.event): \(scripts) (\(event.revision))")
        }
        if let lock = preview.lock {
            Console.say("  lock: held by \(lock.deploymentID) (\(lock.holderAlive ? "running" : "stale"))")
        }
        if let free = preview.freeBytes { Console.say("  free space: \(ByteCount.text(free))") }
        if let transfer = preview.transfer { Console.say("  sends: \(transfer.summary)") }
        for warning in preview.warnings { Console.say("  warning: \(warning)") }
    }

    private func list(_ mark: String, _ paths: [String]) {
        for path in paths.prefix(Self.listed) { Console.say("    \(mark) \(path)") }
        if paths.count > Self.listed { Console.say("    … and \(paths.count - Self.listed) more") }
    }

    func json() throws -> String {
        var object: [String: Any] = [
            "group": request.groupName, "application": request.application,
            "revision": bundle.commit ?? bundle.revision, "bundle_sha256": bundle.staged.report.sha256,
            "config": config.name, "batch_size": rollout.batchSize, "minimum_healthy": rollout.minimumHealthy,
            "order": rollout.order.map { hosts[$0].name },
            "hosts": hosts.map { Self.hostJSON($0.name, $0.address, $0.preview) },
        ]
        if let window = windowJSON { object["window"] = window }
        if let zones = zonesJSON() {
            object["zones"] = zones
            object["minimum_bake_seconds"] = gated?.zonePlan.minimumBakeSeconds ?? 0
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    static func hostJSON(_ name: String, _ address: String, _ preview: HostPreview) -> [String: Any] {
        var host: [String: Any] = [
            "name": name, "address": address, "problems": preview.problems.map(\.description),
            "warnings": preview.warnings,
            "events": preview.events.map { ["event": $0.event, "revision": $0.revision, "scripts": $0.scripts] },
        ]
        if let install = preview.install {
            host["files"] = [
                "added": install.added, "changed": install.changed, "removed": install.removed,
                "unchanged": install.unchanged.count, "retained": install.retained,
            ]
        }
        if let lock = preview.lock { host["lock"] = ["deployment": lock.deploymentID, "running": lock.holderAlive] }
        if let free = preview.freeBytes { host["free_bytes"] = free }
        if let transfer = preview.transfer { host["transfer"] = TransferText.json(transfer) }
        return host
    }

    /// `{ cron, timezone, open, opens_at }` for a group with a window.
    private var windowJSON: [String: Any]? {
        switch window {
        case .always: return nil
        case .open(let w): return ["cron": w.cron.text, "timezone": w.zoneName, "open": true]
        case .closed(let w, let opensAt):
            var json: [String: Any] = ["cron": w.cron.text, "timezone": w.zoneName, "open": false]
            if let opensAt { json["opens_at"] = HistoryJSON.timestamp(opensAt) }
            return json
        }
    }
}
