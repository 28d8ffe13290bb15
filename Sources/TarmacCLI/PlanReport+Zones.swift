import Foundation
import TarmacCore

/// `tarmac plan` for a health-gated configuration: zones in order, their batches and bakes,
/// and the shortest the deployment can take (issue 14).
extension PlanReport {
    func printZones() {
        guard let plan = gated?.zonePlan else { return }
        for zone in plan.zones {
            let batches = zone.batches.map { "[" + $0.map { hosts[$0].name }.joined(separator: ", ") + "]" }
            var line = zone.label.map { "zone \($0)" } ?? "batches"
            line += ": " + batches.joined(separator: " → ")
            if let seconds = zone.bakeSeconds {
                line += zone.bakeEachBatch ? ", bake \(seconds) s after each batch" : ", then bake \(seconds) s"
            }
            Console.say(line)
        }
        Console.say("minimum duration: \(plan.minimumBakeSeconds) s of bakes, plus the hosts' own time")
    }

    func zonesJSON() -> [[String: Any]]? {
        guard let plan = gated?.zonePlan else { return nil }
        return plan.zones.map { zone in
            var object: [String: Any] = [
                "batches": zone.batches.map { $0.map { hosts[$0].name } },
                "minimum_healthy": zone.minimumHealthy,
                "bake_seconds": zone.bakeSeconds ?? 0,
                "bake_after": zone.bakeEachBatch ? "batch" : "zone",
            ]
            if let label = zone.label { object["zone"] = label }
            return object
        }
    }
}
