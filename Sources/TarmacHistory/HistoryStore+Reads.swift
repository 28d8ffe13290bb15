import Foundation
import GRDB
import TarmacCore

extension HistoryStore {
    /// One deployment with its hosts and their events, or nil when the id is unknown.
    public func deployment(_ id: String) throws -> DeploymentDetail? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM deployments WHERE id = ?", arguments: [id])
            else { return nil }
            let events = try Row.fetchAll(
                db, sql: "SELECT * FROM events WHERE deployment_id = ? ORDER BY host, position", arguments: [id])
            let byHost = Dictionary(grouping: events) { $0["host"] as String }
            let hosts = try Row.fetchAll(
                db, sql: "SELECT * FROM deployment_hosts WHERE deployment_id = ? ORDER BY position", arguments: [id]
            ).map { host in
                try RowDecoding.host(host, events: byHost[host["name"] as String] ?? [])
            }
            return DeploymentDetail(
                record: try RowDecoding.record(row), hosts: hosts, bakes: try Self.bakes(db, deploymentID: id))
        }
    }

    /// Deployments newest first, of one group or of all, at most `limit`.
    public func deployments(group: String? = nil, limit: Int = 50) throws -> [DeploymentSummary] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.*,
                      (SELECT COUNT(*) FROM deployment_hosts h WHERE h.deployment_id = d.id) AS hosts_total,
                      (SELECT COUNT(*) FROM deployment_hosts h WHERE h.deployment_id = d.id AND h.status = ?)
                        AS hosts_succeeded,
                      (SELECT COUNT(*) FROM bakes b WHERE b.deployment_id = d.id) AS bakes_total,
                      (SELECT COUNT(*) FROM bakes b WHERE b.deployment_id = d.id AND b.ended_at IS NULL)
                        AS bakes_running
                    FROM deployments d
                    WHERE ? IS NULL OR d.group_name = ?
                    ORDER BY d.started_at DESC, d.rowid DESC
                    LIMIT ?
                    """,
                arguments: [DeploymentStatus.succeeded.rawValue, group, group, max(0, limit)])
            return try rows.map { row in
                DeploymentSummary(
                    record: try RowDecoding.record(row), hostsSucceeded: row["hosts_succeeded"],
                    hostsTotal: row["hosts_total"], bakes: row["bakes_total"],
                    baking: (row["bakes_running"] as Int) > 0)
            }
        }
    }

    /// The captured hook output of a deployment in arrival order, optionally of one host or event.
    public func output(_ deploymentID: String, host: String? = nil, event: String? = nil) throws -> [OutputLine] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT host, event, stream, time, line FROM outputs
                    WHERE deployment_id = ? AND (? IS NULL OR host = ?) AND (? IS NULL OR event = ?)
                    ORDER BY id
                    """,
                arguments: [deploymentID, host, host, event, event]
            ).map(RowDecoding.output)
        }
    }

    /// The group's last successful deployment: what a rollback redeploys (spec §6.4), with the
    /// file_exists_behavior it used. Nil when the group never had one.
    public func lastSuccessful(group: String) throws -> DeploymentRecord? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM deployments WHERE group_name = ? AND status = ?
                    ORDER BY started_at DESC, rowid DESC LIMIT 1
                    """,
                arguments: [group, DeploymentStatus.succeeded.rawValue]
            ).map(RowDecoding.record)
        }
    }

    /// For every host the group's deployments reached, the revision whose Install last
    /// completed there (what runs where now), sorted by host name.
    public func currentRevisions(group: String) throws -> [HostRevision] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT h.name, h.address, d.id, d.revision, d.commit_id, e.finished_at
                    FROM deployment_hosts h
                    JOIN deployments d ON d.id = h.deployment_id
                    LEFT JOIN events e ON e.deployment_id = h.deployment_id AND e.host = h.name
                      AND e.name = 'Install'
                    WHERE d.group_name = ? AND (h.installed OR e.status = ?)
                    ORDER BY d.started_at DESC, d.rowid DESC
                    """,
                arguments: [group, DeploymentStatus.succeeded.rawValue])
            var latest: [String: HostRevision] = [:]
            for row in rows where latest[row["name"]] == nil {
                latest[row["name"]] = HostRevision(
                    host: row["name"], address: row["address"], revision: row["revision"], commit: row["commit_id"],
                    deploymentID: row["id"], installedAt: (row["finished_at"] as Int64?).map(Milliseconds.date))
            }
            return latest.values.sorted { $0.host < $1.host }
        }
    }

    /// Each host's status in the latest deployment of the group that got to it (not Skipped):
    /// a host whose last attempt failed is unhealthy and goes first next time (spec §6.2).
    public func lastAttempts(group: String) throws -> [String: DeploymentStatus] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT h.name, h.status FROM deployment_hosts h
                    JOIN deployments d ON d.id = h.deployment_id
                    WHERE d.group_name = ? AND h.status NOT IN (?, ?)
                    ORDER BY d.started_at DESC, d.rowid DESC
                    """,
                arguments: [group, DeploymentStatus.skipped.rawValue, DeploymentStatus.inProgress.rawValue])
            var latest: [String: DeploymentStatus] = [:]
            for row in rows where latest[row["name"]] == nil {
                latest[row["name"]] = DeploymentStatus(rawValue: row["status"]) ?? .failed
            }
            return latest
        }
    }
}
