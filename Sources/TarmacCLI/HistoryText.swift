import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory

/// The human views of `tarmac history`, `show` and `logs`: plain text, no colour.
enum HistoryText {
    /// The `history` table: one row per deployment or execution, newest first, columns aligned.
    static func table(_ summaries: [DeploymentSummary], executions: [ExecutionDetail] = [], now: Date) -> String {
        let header = ["ID", "STATUS", "GROUP", "REVISION", "STARTED", "DURATION", "HOSTS"]
        let deployments = summaries.map { summary in
            let record = summary.record
            return (
                record.startedAt,
                [
                    record.id, record.status.rawValue, record.group, short(record.revision),
                    seconds(record.startedAt), duration(record, now: now) + bakeNote(summary),
                    "\(summary.hostsSucceeded)/\(summary.hostsTotal)",
                ] + notes(record)
            )
        }
        let runs = executions.map { ($0.record.createdAt, ExecutionText.row($0, now: now)) }
        let rows = (deployments + runs).sorted { $0.0 > $1.0 }.map(\.1)
        return aligned([header] + rows)
    }

    /// The `show` report: the deployment, then each host with its events.
    static func detail(_ detail: DeploymentDetail, now: Date) -> String {
        let record = detail.record
        var lines = [
            "deployment \(record.id): \(record.status.rawValue)",
            "  group \(record.group), application \(record.application), config \(record.configName), "
                + "created by \(record.creator.rawValue)"
                + (record.rollbackOf.map { ", rolling back \($0)" } ?? "")
                + (record.retryOf.map { ", retrying \($0)" } ?? "")
                + (record.windowOverriddenBy.map { ", outside the window (overridden by \($0))" } ?? ""),
            "  revision \(record.revision), bundle sha256 \(record.bundleSHA256)",
            "  started \(HistoryJSON.timestamp(record.startedAt)), "
                + (record.finishedAt.map { "finished \(HistoryJSON.timestamp($0)) " } ?? "")
                + "(\(duration(record, now: now)))",
        ]
        if let message = record.message { lines.append("  \(message)") }
        for host in detail.hosts {
            lines.append("")
            lines.append(
                "\(host.name) (\(host.address)): \(host.status.rawValue)"
                    + (host.installed ? ", revision installed" : "") + (host.message.map { ": \($0)" } ?? ""))
            if let transfer = host.transfer { lines.append("  sent: \(transfer.summary)") }
            lines.append(contentsOf: events(host.events))
        }
        lines.append(contentsOf: bakes(detail.bakes, now: now))
        return lines.joined(separator: "\n")
    }

    /// One `logs` line: `time host event stream text`.
    static func logLine(_ line: OutputLine) -> String {
        "\(HistoryJSON.timestamp(line.time)) \(line.host) \(line.event) \(line.stream.rawValue) \(line.text)"
    }

    private static func events(_ events: [EventResult]) -> [String] {
        let rows = events.map { event in
            [
                mark(event.status) + " " + event.name, event.status.rawValue, eventDuration(event),
                event.exitCode.map { "exit \($0)" } ?? "", event.message ?? "",
            ]
        }
        return aligned(rows).split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }

    private static func mark(_ status: DeploymentStatus) -> String {
        switch status {
        case .succeeded: "✓"
        case .failed: "✗"
        case .inProgress: "▸"
        case .skipped: "-"
        case .stopped: "■"
        }
    }

    /// Columns padded to their widest cell, two spaces apart; trailing blanks trimmed.
    /// After a deployment's row: what it retried, and who deployed it outside its window.
    static func notes(_ record: DeploymentRecord) -> [String] {
        let notes = [
            record.retryOf.map { "retry of \($0)" },
            record.windowOverriddenBy.map { "outside window (overridden by \($0))" },
        ].compactMap { $0 }
        return notes.isEmpty ? [] : [notes.joined(separator: ", ")]
    }

    static func aligned(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        let widths = (0..<columns).map { column in rows.map { $0.count > column ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            let padded = row.enumerated().map {
                $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0)
            }
            return String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }.joined(separator: "\n")
    }

    private static func short(_ revision: String) -> String {
        String(revision.prefix(12))
    }

    private static func seconds(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    private static func duration(_ record: DeploymentRecord, now: Date) -> String {
        if let finished = record.finishedAt { return format(finished.timeIntervalSince(record.startedAt)) }
        return record.status == .inProgress ? "running \(format(now.timeIntervalSince(record.startedAt)))" : "-"
    }

    private static func eventDuration(_ event: EventResult) -> String {
        guard let start = event.startedAt else { return "" }
        return event.finishedAt.map { format($0.timeIntervalSince(start)) } ?? "running"
    }

    /// `0.4s`, `12.0s`, `3m05s`, `1h02m`.
    static func format(_ interval: TimeInterval) -> String {
        let value = max(0, interval)
        if value < 60 { return String(format: "%.1fs", value) }
        let seconds = Int(value.rounded())
        if seconds < 3600 { return String(format: "%dm%02ds", seconds / 60, seconds % 60) }
        return String(format: "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
    }
}
