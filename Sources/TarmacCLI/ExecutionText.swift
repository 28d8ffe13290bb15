import Foundation
import TarmacCore
import TarmacHistory

/// The human views of executions: `show e-…`, their `history` rows, and the history's header
/// (what runs where now, which executions wait for an approval).
enum ExecutionText {
    /// The `show` report: the execution, then its stages.
    static func detail(_ detail: ExecutionDetail, now: Date) -> String {
        let record = detail.record
        var lines = [
            "execution \(record.id): \(record.state.rawValue)"
                + (record.state.status != record.state.rawValue ? " (\(record.state.status))" : ""),
            "  commit \(record.commit)" + (record.subject.map { " \(Quote.text($0))" } ?? ""),
            "  \(record.trigger.rawValue) run" + (record.branch.map { " on branch \($0)" } ?? "")
                + ", mode \(record.mode.rawValue)",
        ]
        if let revision = record.revision, let sha = record.bundleSHA256 {
            lines.append("  bundle \(revision), sha256 \(sha)")
        }
        lines.append(
            "  started \(HistoryJSON.timestamp(record.createdAt))"
                + (record.finishedAt.map { ", finished \(HistoryJSON.timestamp($0))" } ?? "")
                + " (\(duration(from: record.createdAt, to: record.finishedAt, now: now, waiting: record.state == .awaitingApproval)))"
        )
        if let message = record.message {
            lines += message.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        lines.append("")
        lines.append("stages:")
        lines.append(contentsOf: stages(detail, now: now))
        if record.state == .awaitingApproval {
            lines.append("")
            lines.append("answer with: tarmac approve \(record.id)   or   tarmac reject \(record.id)")
        }
        lines.append("log: \(record.logPath) (tarmac logs \(record.id))")
        return lines.joined(separator: "\n")
    }

    /// One `history` row of an execution, in the deployments' columns.
    static func row(_ detail: ExecutionDetail, now: Date) -> [String] {
        let record = detail.record
        let done = detail.stages.filter { $0.status == .succeeded }.count
        return [
            record.id, record.state.rawValue, detail.groups.joined(separator: "→"), String(record.commit.prefix(12)),
            record.createdAt.formatted(Date.ISO8601FormatStyle()),
            duration(
                from: record.createdAt, to: record.finishedAt, now: now, waiting: record.state == .awaitingApproval),
            detail.stages.isEmpty ? "-" : "\(done)/\(detail.stages.count) stages",
        ]
    }

    /// What runs where now: per group, the hosts grouped by the revision installed last.
    static func current(_ revisions: [(group: String, hosts: [HostRevision])]) -> [String] {
        var rows: [[String]] = []
        for (group, hosts) in revisions {
            var byRevision: [(revision: String, deployment: String, hosts: [String])] = []
            for host in hosts {
                if let index = byRevision.firstIndex(where: { $0.revision == host.revision }) {
                    byRevision[index].hosts.append(host.host)
                } else {
                    byRevision.append((host.revision, host.deploymentID, [host.host]))
                }
            }
            for entry in byRevision {
                rows.append([
                    "  " + group, String(entry.revision.prefix(12)), entry.hosts.joined(separator: " "),
                    "(\(entry.deployment))",
                ])
            }
        }
        guard !rows.isEmpty else { return [] }
        return ["what runs where now (revision installed last on each host):"]
            + HistoryText.aligned(rows).split(separator: "\n").map(String.init)
    }

    /// The executions waiting for an approval, with the commit each is for.
    static func waiting(_ executions: [ExecutionDetail]) -> [String] {
        let waiting = executions.filter { $0.record.state == .awaitingApproval }
        guard !waiting.isEmpty else { return [] }
        return ["waiting for approval:"]
            + waiting.map { detail in
                let record = detail.record
                return "  \(record.id) \(Quote.text(detail.currentStage?.name ?? "approval")) for "
                    + "\(record.commit.prefix(12))" + (record.subject.map { " \(Quote.text($0))" } ?? "")
                    + " — tarmac approve \(record.id)"
            }
    }

    /// The executions whose deploy stage waits for its group's window, and when it opens.
    static func waitingForWindow(_ executions: [ExecutionDetail]) -> [String] {
        let waiting = executions.compactMap { detail -> String? in
            guard !detail.record.state.isFinal, let stage = detail.currentStage, stage.status == .inProgress,
                let message = stage.message, message.hasPrefix("waiting for window")
            else { return nil }
            return "  \(detail.record.id) deploy \(stage.name): \(message)"
        }
        return waiting.isEmpty ? [] : ["waiting for a deployment window:"] + waiting
    }

    private static func stages(_ detail: ExecutionDetail, now: Date) -> [String] {
        let rows = detail.stages.map { stage -> [String] in
            let took =
                stage.startedAt.map {
                    duration(from: $0, to: stage.finishedAt, now: now, waiting: stage.status == .awaitingApproval)
                } ?? ""
            let link = stage.deploymentID ?? stage.answeredBy.map { "by \($0)" } ?? ""
            let firstLine = stage.message?.split(separator: "\n").first.map(String.init) ?? ""
            return [
                mark(stage.status) + " \(stage.position) " + label(stage), stage.status.rawValue, took, link, firstLine,
            ]
        }
        return HistoryText.aligned(rows).split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }

    private static func label(_ stage: StageRecord) -> String {
        switch stage.kind {
        case .source, .build: stage.kind.rawValue
        case .deploy: "deploy \(stage.name)"
        case .approval: "approval \(Quote.text(stage.name))"
        }
    }

    private static func mark(_ status: StageStatus) -> String {
        switch status {
        case .succeeded: "✓"
        case .failed: "✗"
        case .inProgress: "▸"
        case .awaitingApproval: "?"
        case .pending: "·"
        case .skipped: "-"
        case .stopped: "■"
        }
    }

    /// `2.7s` when over; `running 12.0s` (or `waiting …` at an approval) while not.
    private static func duration(from start: Date, to end: Date?, now: Date, waiting: Bool = false) -> String {
        guard let end else {
            return (waiting ? "waiting " : "running ") + HistoryText.format(now.timeIntervalSince(start))
        }
        return HistoryText.format(end.timeIntervalSince(start))
    }
}
