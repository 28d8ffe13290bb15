import Foundation
import GRDB
import TarmacCore

extension HistoryStore {
    /// Records a new execution as `Pending`, after every other; returns it with its sequence.
    @discardableResult
    public func createExecution(_ record: ExecutionRecord) throws -> ExecutionRecord {
        var stored = record
        stored.state = .pending
        stored.createdAt = clock()
        try write { db in
            stored.sequence = (try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM executions") ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO executions (id, sequence, application, commit_id, subject, branch, trigger, mode,
                      state, next_stage, log_path, runner_pid, runner_start, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    stored.id, stored.sequence, stored.application, stored.commit, stored.subject, stored.branch,
                    stored.trigger.rawValue, stored.mode.rawValue, stored.state.rawValue, stored.nextStage,
                    stored.logPath, stored.runner?.pid, stored.runner?.startTicks, Milliseconds.from(stored.createdAt),
                ])
        }
        return stored
    }

    /// Makes `runner` the process responsible for the execution.
    public func setRunner(_ id: String, _ runner: RunnerIdentity) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE executions SET runner_pid = ?, runner_start = ? WHERE id = ?",
                arguments: [runner.pid, runner.startTicks, id])
        }
    }

    /// Sets what the commit's tarmac.yml says: the mode and the stages (source first).
    public func defineStages(_ id: String, mode: Pipeline.Mode, stages: [StageRecord]) throws {
        try write { db in
            try db.execute(sql: "UPDATE executions SET mode = ? WHERE id = ?", arguments: [mode.rawValue, id])
            try db.execute(sql: "DELETE FROM execution_stages WHERE execution_id = ?", arguments: [id])
            for stage in stages { try insert(db, stage, execution: id) }
        }
    }

    /// Records the bundle every deploy stage sends.
    public func setBundle(_ id: String, revision: String, path: String?, sha256: String) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE executions SET revision = ?, bundle_path = ?, bundle_sha256 = ? WHERE id = ?",
                arguments: [revision, path, sha256, id])
        }
    }

    /// Updates one stage; entering `InProgress` stamps its start, a final status its finish.
    public func updateStage(
        _ id: String, position: Int, status: StageStatus, message: String? = nil, deploymentID: String? = nil,
        answeredBy: String? = nil
    ) throws {
        let now = Milliseconds.from(clock())
        try write { db in
            try db.execute(
                sql: """
                    UPDATE execution_stages SET status = ?, message = COALESCE(?, message),
                      deployment_id = COALESCE(?, deployment_id), answered_by = COALESCE(?, answered_by),
                      started_at = CASE WHEN ? THEN COALESCE(started_at, ?) ELSE started_at END,
                      finished_at = CASE WHEN ? THEN ? ELSE finished_at END
                    WHERE execution_id = ? AND position = ?
                    """,
                arguments: [
                    status.rawValue, message, deploymentID, answeredBy, status != .pending, now, status.isFinal, now,
                    id, position,
                ])
        }
    }

    /// Ends an execution; a stage still going or waiting ends with it.
    public func finishExecution(_ id: String, _ state: ExecutionState, message: String? = nil) throws {
        try write { db in try end(db, id, state, message: message) }
    }

    /// Ends executions left alive by a process that is gone (killed, crashed, machine restarted)
    /// as `Stopped`, and returns them as they were.
    @discardableResult
    public func sweepInterruptedExecutions() throws -> [ExecutionDetail] {
        try write { db in try sweep(db) }
    }

    // MARK: - Inside transactions

    func record(_ db: Database, _ id: String) throws -> ExecutionRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM executions WHERE id = ?", arguments: [id])
            .map(RowDecoding.execution)
    }

    func stages(_ db: Database, _ id: String) throws -> [StageRecord] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM execution_stages WHERE execution_id = ? ORDER BY position", arguments: [id]
        ).map(RowDecoding.stage)
    }

    func setState(_ db: Database, _ id: String, _ state: ExecutionState, message: String? = nil) throws {
        try db.execute(
            sql: "UPDATE executions SET state = ?, message = COALESCE(?, message) WHERE id = ?",
            arguments: [state.rawValue, message, id])
    }

    func end(_ db: Database, _ id: String, _ state: ExecutionState, message: String?) throws {
        let now = Milliseconds.from(clock())
        try db.execute(
            sql: """
                UPDATE executions SET state = ?, message = COALESCE(?, message), finished_at = ?,
                  runner_pid = NULL, runner_start = NULL
                WHERE id = ?
                """,
            arguments: [state.rawValue, message, now, id])
        let stageStatus: StageStatus = state == .succeeded ? .succeeded : state == .skipped ? .skipped : .stopped
        try db.execute(
            sql: """
                UPDATE execution_stages SET status = ?, finished_at = ?
                WHERE execution_id = ? AND status IN (?, ?)
                """,
            arguments: [
                stageStatus.rawValue, now, id, StageStatus.inProgress.rawValue, StageStatus.awaitingApproval.rawValue,
            ])
    }

    private func insert(_ db: Database, _ stage: StageRecord, execution id: String) throws {
        try db.execute(
            sql: """
                INSERT INTO execution_stages (execution_id, position, kind, name, status, message, deployment_id,
                  answered_by, started_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, stage.position, stage.kind.rawValue, stage.name, stage.status.rawValue, stage.message,
                stage.deploymentID, stage.answeredBy, stage.startedAt.map(Milliseconds.from),
                stage.finishedAt.map(Milliseconds.from),
            ])
    }

    func sweep(_ db: Database) throws -> [ExecutionDetail] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM executions WHERE state IN (?, ?, ?)",
            arguments: [
                ExecutionState.pending.rawValue, ExecutionState.queued.rawValue, ExecutionState.running.rawValue,
            ])
        var swept: [ExecutionDetail] = []
        for row in rows {
            let record = try RowDecoding.execution(row)
            if let runner = record.runner, runner.pid == processID || runner.isAlive { continue }
            swept.append(ExecutionDetail(record: record, stages: try stages(db, record.id)))
            let who = record.runner.map { "its runner (pid \($0.pid))" } ?? "its runner"
            try end(
                db, record.id, .stopped,
                message: "interrupted: \(who) ended before it finished (killed, crashed or the machine restarted)")
        }
        return swept
    }
}
