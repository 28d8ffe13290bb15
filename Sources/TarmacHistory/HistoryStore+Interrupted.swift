import Foundation
import GRDB
import TarmacCore

extension HistoryStore {
    /// The message a deployment left `InProgress` by a process that is gone ends with.
    public static let interruptedMessage = "interrupted: the tarmac process running it ended before it finished"

    /// Turns deployments left `InProgress` by a process that no longer runs (killed, crashed,
    /// machine restarted) into `Stopped`, with their unfinished hosts and events; returns their ids.
    /// Deployments of live processes (this one included) are left alone.
    @discardableResult
    public func markInterrupted(
        isRunning: @Sendable (Int32) -> Bool = HistoryStore.processIsRunning
    ) throws -> [String] {
        try write { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, owner_pid FROM deployments WHERE status = ?",
                arguments: [DeploymentStatus.inProgress.rawValue])
            let stale: [String] = rows.compactMap { row in
                let pid: Int32? = row["owner_pid"]
                if let pid, pid == processID || isRunning(pid) { return nil }
                return row["id"]
            }
            if stale.isEmpty { return stale }
            let now = Milliseconds.from(clock())
            for id in stale { try stop(db, id: id, at: now) }
            return stale
        }
    }

    /// The group's deployments that ended because their process died (see `markInterrupted`).
    public func interruptedDeployments(group: String) throws -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT id FROM deployments WHERE group_name = ? AND interrupted",
                    arguments: [group]))
        }
    }

    /// Whether a process with this id exists on this machine and is not a zombie (it may be
    /// another program that reused the id, so a deployment can stay `InProgress` until that one
    /// ends too).
    public static func processIsRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        return !RunnerIdentity.isZombie(pid)
    }

    private func stop(_ db: Database, id: String, at time: Int64) throws {
        let stopped = DeploymentStatus.stopped.rawValue
        let inProgress = DeploymentStatus.inProgress.rawValue
        try db.execute(
            sql: "UPDATE deployments SET status = ?, finished_at = ?, message = ?, interrupted = 1 WHERE id = ?",
            arguments: [stopped, time, Self.interruptedMessage, id])
        try db.execute(
            sql: "UPDATE deployment_hosts SET status = ? WHERE deployment_id = ? AND status = ?",
            arguments: [stopped, id, inProgress])
        try db.execute(
            sql:
                "UPDATE events SET status = ?, finished_at = COALESCE(finished_at, ?) WHERE deployment_id = ? AND status = ?",
            arguments: [stopped, time, id, inProgress])
    }
}
