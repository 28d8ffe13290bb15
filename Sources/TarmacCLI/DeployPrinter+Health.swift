import Foundation
import Synchronization
import TarmacCore
import TarmacDeploy

/// Bakes and health checks on the live board, in the log and as JSON (issue 14).
extension DeployPrinter {
    func health(_ report: HealthProgress) {
        switch report {
        case .countdown(let left):
            updateBoard { $0.footer = Self.footer($0.footer, left: left) }
        case .bakeStarted(let zone, let number, let seconds, let startedAt, let endsAt):
            updateBoard { $0.footer = "bake \(number)\(zone.map { " after zone \($0)" } ?? ""): \(seconds) s left" }
            var object: [String: Any] = [
                "type": "bake_started", "bake": number, "seconds": seconds, "started_at": Self.stamp(startedAt),
                "ends_at": Self.stamp(endsAt),
            ]
            if let zone { object["zone"] = zone }
            emit(object, text: "bake \(number)\(zone.map { " after zone \($0)" } ?? ""): \(seconds) s")
        case .round(let number, let hosts, let failures, let at, let endsAt):
            roundReport(number, hosts, failures, at, endsAt)
        case .bakeEnded(let zone, let number, let passed, let at):
            var object: [String: Any] = ["type": "bake_ended", "bake": number, "passed": passed, "at": Self.stamp(at)]
            if let zone { object["zone"] = zone }
            updateBoard { $0.footer = nil }
            emit(object, text: "bake \(number) \(passed ? "passed" : "ended early")")
        case .hostCheckFailed(let index, let failure):
            emit(
                [
                    "type": "health_check_failed", "host": hosts[index], "check": failure.check,
                    "output": failure.output, "timed_out": failure.timedOut,
                ],
                text: line(index, "✗ health check \(failure.check): \(failure.output)"), host: index,
                status: "✗ health check \(failure.check)", keep: true)
        }
    }

    private func roundReport(
        _ number: Int, _ checked: [Int], _ failures: [GatedRollout.CheckFailure], _ at: Date, _ endsAt: Date?
    ) {
        let failed = Dictionary(failures.map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
        let results: [[String: Any]] = checked.map { host in
            var entry: [String: Any] = ["host": hosts[host], "healthy": failed[host] == nil]
            if let failure = failed[host] {
                entry["check"] = failure.check
                entry["output"] = failure.output
            }
            return entry
        }
        let summary =
            failures.isEmpty
            ? "all \(checked.count) host\(checked.count == 1 ? "" : "s") healthy"
            : failures.map { "\(hosts[$0.host]) ✗ \($0.check): \($0.output)" }.joined(separator: "; ")
        emit(
            ["type": "check_round", "round": number, "hosts": results, "at": Self.stamp(at)],
            text: "round \(number): \(summary)", keep: !failures.isEmpty)
        guard !json else { return }
        let left = endsAt.map { max(0, Int($0.timeIntervalSince(at).rounded())) }
        updateBoard { $0.footer = Self.footer($0.footer, left: left, round: "last round \(number): \(summary)") }
        for host in checked {
            let status =
                failed[host].map { "✗ \($0.check) (round \(number))" } ?? "✓ healthy (round \(number))"
            setStatus(host, status)
        }
    }

    /// The board's bake line with a new countdown and, when given, a new last round:
    /// `bake 1 after zone a: 12 s left · last round 3: all 2 hosts healthy`.
    static func footer(_ current: String?, left: Int?, round: String? = nil) -> String? {
        guard let current else { return nil }
        let parts = current.components(separatedBy: " · ")
        var head = parts[0]
        if let left, let colon = head.range(of: ": ", options: .backwards) {
            head = head[..<colon.upperBound] + "\(left) s left"
        }
        let last = round ?? (parts.count > 1 ? parts[1] : nil)
        return head + (last.map { " · " + $0 } ?? "")
    }

    static func stamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension DeployPrinter {
    /// The health-gated plan at the start: each zone's batches and bake.
    func zones(_ plan: ZonePlan) {
        for zone in plan.zones {
            let batches = zone.batches.map { "[" + $0.map { hosts[$0] }.joined(separator: ", ") + "]" }
            var text = (zone.label.map { "zone \($0)" } ?? "batches") + ": " + batches.joined(separator: " → ")
            if let seconds = zone.bakeSeconds {
                text += zone.bakeEachBatch ? ", bake \(seconds) s after each batch" : ", then bake \(seconds) s"
            }
            var object: [String: Any] = [
                "type": "zone_planned", "batches": zone.batches.map { $0.map { hosts[$0] } },
                "bake_seconds": zone.bakeSeconds ?? 0, "bake_after": zone.bakeEachBatch ? "batch" : "zone",
            ]
            if let label = zone.label { object["zone"] = label }
            emit(object, text: text)
        }
    }
}
