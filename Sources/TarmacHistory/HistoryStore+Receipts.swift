import Foundation
import GRDB
import TarmacCore

/// What importing one receipt did to the history.
public enum ReceiptImport: Sendable, Equatable {
    /// A new deployment was recorded.
    case recorded
    /// The history already had this deployment: nothing changed.
    case alreadyKnown
}

extension HistoryStore {
    /// Records the deployment a receipt describes, with its host and events, as `creator:
    /// receipt`; `note` says how it was verified (or that it was not). Importing the same
    /// deployment again changes nothing.
    public func importReceipt(_ receipt: Receipt, note: String) throws -> ReceiptImport {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM deployments WHERE id = ?", arguments: [receipt.deploymentID])
                != nil
            {
                return .alreadyKnown
            }
            let started = Self.milliseconds(receipt.startedAt)
            let finished = Self.milliseconds(receipt.finishedAt)
            try db.execute(
                sql: """
                    INSERT INTO deployments (id, group_name, application, revision, commit_id, bundle_sha256,
                      bundle_path, config_name, file_exists_behavior, ignore_application_stop_failures, status,
                      creator, rollback_of, execution_id, message, started_at, finished_at, owner_pid)
                    VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, 0, ?, ?, NULL, NULL, ?, ?, ?, NULL)
                    """,
                arguments: [
                    receipt.deploymentID, receipt.group, receipt.application,
                    receipt.revision ?? String(receipt.bundleSHA256.prefix(12)), receipt.revision,
                    receipt.bundleSHA256, "receipt", FileExistsBehavior.disallow.rawValue, receipt.result,
                    DeploymentCreator.receipt.rawValue, note, started ?? 0, finished,
                ])
            let installed = receipt.events.contains { $0.name == "Install" && $0.status == "Succeeded" }
            try db.execute(
                sql: """
                    INSERT INTO deployment_hosts (deployment_id, name, address, position, status, installed, message)
                    VALUES (?, ?, ?, 0, ?, ?, ?)
                    """,
                arguments: [
                    receipt.deploymentID, receipt.host.name, receipt.host.name, receipt.result, installed, note,
                ])
            for (position, event) in receipt.events.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO events (deployment_id, host, position, name, status, started_at, finished_at,
                          exit_code, message)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        receipt.deploymentID, receipt.host.name, position, event.name, event.status,
                        event.startedAt.flatMap(Self.milliseconds), event.finishedAt.flatMap(Self.milliseconds),
                        event.exitCode, event.message,
                    ])
            }
            return .recorded
        }
    }

    private static func milliseconds(_ text: String) -> Int64? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? Date(text, strategy: style)) ?? (try? Date(text, strategy: .iso8601)) else {
            return nil
        }
        return Milliseconds.from(date)
    }
}
