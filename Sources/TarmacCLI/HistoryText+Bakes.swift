import Foundation
import TarmacCore
import TarmacHistory

/// The bakes of a health-gated deployment in `tarmac show` (issue 14).
extension HistoryText {
    static func bakes(_ bakes: [BakeRecord], now: Date) -> [String] {
        guard !bakes.isEmpty else { return [] }
        var lines = ["", "bakes:"]
        for bake in bakes {
            let planned = format(bake.endsAt.timeIntervalSince(bake.startedAt))
            let state: String
            switch bake.passed {
            case true?: state = "passed"
            case false?: state = "ended after \(format((bake.endedAt ?? now).timeIntervalSince(bake.startedAt)))"
            case nil: state = "running, \(format(bake.endsAt.timeIntervalSince(now))) left"
            }
            lines.append(
                "  bake \(bake.number)\(bake.zone.map { " after zone \($0)" } ?? ""): \(planned) from "
                    + "\(HistoryJSON.timestamp(bake.startedAt)), \(state), \(bake.rounds.count) check rounds")
            for round in bake.rounds {
                let failed = round.hosts.filter { !$0.healthy }
                let summary =
                    failed.isEmpty
                    ? "\(round.hosts.count) healthy"
                    : failed.map { "\($0.host) ✗ \($0.check ?? "?"): \($0.output ?? "")" }.joined(separator: "; ")
                lines.append("    round \(round.round) at \(HistoryJSON.timestamp(round.at)): \(summary)")
            }
        }
        return lines
    }
}

extension HistoryText {
    /// The `history` table's note on a health-gated deployment: `, 2 bakes`, or `, baking (bake 3)` while one runs.
    static func bakeNote(_ summary: DeploymentSummary) -> String {
        guard summary.bakes > 0 else { return "" }
        if summary.baking { return ", baking (bake \(summary.bakes))" }
        return ", \(summary.bakes) bake\(summary.bakes == 1 ? "" : "s")"
    }
}
