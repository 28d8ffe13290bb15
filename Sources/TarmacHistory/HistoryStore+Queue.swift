import Foundation
import GRDB
import TarmacCore

/// How a queued execution's attempt to take the pipeline went.
public enum PipelineTurn: Sendable, Equatable {
    /// It is running now.
    case started
    /// These executions go first.
    case wait(behind: [String])
    /// It is no longer queued (superseded, or stopped by someone else).
    case gone(ExecutionState, message: String?)
}

/// The execution queue (spec: one execution runs at a time; QUEUED or SUPERSEDED mode): each
/// transition is one transaction applying `ExecutionQueue`'s rules.
extension HistoryStore {
    /// Queues the execution for stage `position`; in SUPERSEDED mode the waiting executions
    /// it has caught up with end as `Superseded`. Returns their ids.
    @discardableResult
    public func enqueue(_ id: String, at position: Int) throws -> [String] {
        try write { db in
            try db.execute(
                sql: "UPDATE executions SET state = ?, next_stage = ? WHERE id = ? AND state IN (?, ?, ?)",
                arguments: [
                    ExecutionState.queued.rawValue, position, id, ExecutionState.pending.rawValue,
                    ExecutionState.running.rawValue, ExecutionState.awaitingApproval.rawValue,
                ])
            return try supersede(db, by: id)
        }
    }

    /// Moves a running execution into stage `position`; in SUPERSEDED mode the waiting executions
    /// it has caught up with end as `Superseded`. Returns their ids.
    @discardableResult
    public func advance(_ id: String, to position: Int) throws -> [String] {
        try write { db in
            try db.execute(sql: "UPDATE executions SET next_stage = ? WHERE id = ?", arguments: [position, id])
            return try supersede(db, by: id)
        }
    }

    /// Takes the pipeline for a queued execution when it is its turn; first ends executions whose
    /// runner is gone, so a killed tarmac never holds the pipeline.
    public func takeTurn(_ id: String) throws -> PipelineTurn {
        try write { db in
            _ = try sweep(db)
            guard let me = try record(db, id) else { return .gone(.stopped, message: "not in the history") }
            guard me.state == .queued else { return .gone(me.state, message: me.message) }
            let behind = ExecutionQueue.ahead(of: me.queueEntry, among: try liveEntries(db))
            guard behind.isEmpty else { return .wait(behind: behind) }
            try setState(db, id, .running)
            return .started
        }
    }

    /// Pauses at the approval stage `position`, which now awaits an answer (the runner then ends); SUPERSEDED mode replaces
    /// older executions waiting at this gate. Returns their ids.
    @discardableResult
    public func awaitApproval(_ id: String, at position: Int) throws -> [String] {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE executions SET state = ?, next_stage = ?, runner_pid = NULL, runner_start = NULL
                    WHERE id = ?
                    """,
                arguments: [ExecutionState.awaitingApproval.rawValue, position, id])
            try db.execute(
                sql: """
                    UPDATE execution_stages SET status = ?, started_at = COALESCE(started_at, ?)
                    WHERE execution_id = ? AND position = ?
                    """,
                arguments: [StageStatus.awaitingApproval.rawValue, Milliseconds.from(clock()), id, position])
            return try supersede(db, by: id)
        }
    }

    // MARK: - Inside transactions

    func liveEntries(_ db: Database) throws -> [ExecutionQueue.Entry] {
        let alive = ExecutionState.allCases.filter { !$0.isFinal }.map(\.rawValue)
        return try Row.fetchAll(
            db, sql: "SELECT * FROM executions WHERE state IN (?, ?, ?, ?) ORDER BY sequence",
            arguments: StatementArguments(alive)
        ).map { try RowDecoding.execution($0).queueEntry }
    }

    private func supersede(_ db: Database, by id: String) throws -> [String] {
        guard let me = try record(db, id) else { return [] }
        let replaced = ExecutionQueue.superseded(try liveEntries(db), mode: me.mode)
        for old in replaced where old != id {
            let newer = me.sequence > (try record(db, old)?.sequence ?? .max)
            let by = newer ? "\(id) (\(me.commit.prefix(7)))" : "a newer execution"
            try end(db, old, .superseded, message: "superseded by \(by)")
        }
        return replaced
    }
}
