import Foundation
import GRDB
import TarmacCore

extension HistoryStore {
    /// Records a new deployment and its hosts as `InProgress`, stamping its start from the clock;
    /// first turns deployments whose process died into `Stopped` (see `markInterrupted`).
    @discardableResult
    public func begin(_ record: DeploymentRecord, hosts: [HostTarget]) throws -> DeploymentRecord {
        try markInterrupted()
        var stored = record
        stored.status = .inProgress
        stored.startedAt = clock()
        stored.finishedAt = nil
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM deployments WHERE id = ?", arguments: [record.id]) != nil {
                throw HistoryError.duplicateDeployment(record.id)
            }
            try db.execute(
                sql: """
                    INSERT INTO deployments (id, group_name, application, revision, commit_id, bundle_sha256,
                      bundle_path, config_name, file_exists_behavior, ignore_application_stop_failures, status,
                      creator, rollback_of, execution_id, message, started_at, finished_at, owner_pid, retry_of,
                      window_overridden_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
                    """,
                arguments: [
                    stored.id, stored.group, stored.application, stored.revision, stored.commit,
                    stored.bundleSHA256, stored.bundlePath, stored.configName, stored.fileExistsBehavior.rawValue,
                    stored.ignoreApplicationStopFailures, stored.status.rawValue, stored.creator.rawValue,
                    stored.rollbackOf, stored.executionID, stored.message, Milliseconds.from(stored.startedAt),
                    processID, stored.retryOf, stored.windowOverriddenBy,
                ])
            for (position, host) in hosts.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO deployment_hosts (deployment_id, name, address, position, status)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [stored.id, host.name, host.address, position, DeploymentStatus.inProgress.rawValue])
            }
        }
        return stored
    }

    /// Sets a host's status, and when given whether Install completed there, why it ended so,
    /// and what DownloadBundle sent it.
    public func updateHost(
        deploymentID: String, host: String, status: DeploymentStatus, installed: Bool? = nil, message: String? = nil,
        transfer: Transfer? = nil
    ) throws {
        let transferJSON = try transfer.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try write { db in
            try db.execute(
                sql: """
                    UPDATE deployment_hosts SET status = ?, installed = COALESCE(?, installed),
                      message = COALESCE(?, message), transfer = COALESCE(?, transfer)
                    WHERE deployment_id = ? AND name = ?
                    """,
                arguments: [status.rawValue, installed, message, transferJSON, deploymentID, host])
            if db.changesCount == 0 { throw try Self.missing(db, deploymentID: deploymentID, host: host) }
        }
    }

    /// Records a lifecycle event of one host: the first report of a name appends it after the
    /// host's other events, later ones (started, then finished) update it in place.
    public func recordEvent(deploymentID: String, host: String, _ event: EventResult) throws {
        try write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM deployment_hosts WHERE deployment_id = ? AND name = ?",
                    arguments: [deploymentID, host]) != nil
            else { throw try Self.missing(db, deploymentID: deploymentID, host: host) }
            try db.execute(
                sql: """
                    INSERT INTO events (deployment_id, host, position, name, status, started_at, finished_at,
                      exit_code, message)
                    VALUES (?, ?, (SELECT COALESCE(MAX(position) + 1, 0) FROM events
                                   WHERE deployment_id = ? AND host = ?), ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (deployment_id, host, name) DO UPDATE SET
                      status = excluded.status, started_at = excluded.started_at,
                      finished_at = excluded.finished_at, exit_code = excluded.exit_code,
                      message = excluded.message
                    """,
                arguments: [
                    deploymentID, host, deploymentID, host, event.name, event.status.rawValue,
                    event.startedAt.map(Milliseconds.from), event.finishedAt.map(Milliseconds.from), event.exitCode,
                    event.message,
                ])
        }
    }

    /// Appends hook output in one transaction through one prepared statement: hand it a batch
    /// (an event's lines, or what arrived since the last call) rather than one line at a time.
    public func appendOutput(deploymentID: String, _ lines: [OutputLine]) throws {
        guard !lines.isEmpty else { return }
        try write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT INTO outputs (deployment_id, host, event, stream, time, line) VALUES (?, ?, ?, ?, ?, ?)")
            for line in lines {
                try insert.execute(arguments: [
                    deploymentID, line.host, line.event, line.stream.rawValue, Milliseconds.from(line.time), line.text,
                ])
            }
        }
    }

    /// Appends one line of hook output, stamped now by the store's clock.
    public func appendOutput(
        deploymentID: String, host: String, event: String, stream: HookStream, text: String
    ) throws {
        try appendOutput(
            deploymentID: deploymentID,
            [OutputLine(time: clock(), host: host, event: event, stream: stream, text: text)])
    }

    /// Ends a deployment with `status`, stamping its finish from the clock.
    public func finish(_ deploymentID: String, status: DeploymentStatus, message: String? = nil) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE deployments SET status = ?, message = COALESCE(?, message), finished_at = ? WHERE id = ?",
                arguments: [status.rawValue, message, Milliseconds.from(clock()), deploymentID])
            if db.changesCount == 0 { throw HistoryError.unknownDeployment(deploymentID) }
        }
    }

    /// The error for a host row that is not there: the deployment or only the host is unknown.
    static func missing(_ db: Database, deploymentID: String, host: String) throws -> HistoryError {
        let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM deployments WHERE id = ?", arguments: [deploymentID])
        return known == nil
            ? .unknownDeployment(deploymentID) : .unknownHost(deployment: deploymentID, host: host)
    }
}
