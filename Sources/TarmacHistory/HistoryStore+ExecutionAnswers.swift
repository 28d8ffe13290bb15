import Foundation
import GRDB
import TarmacCore

/// Why an approval answer was not taken; nothing was changed.
public enum ApprovalRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String)
    case notWaiting(String, ExecutionState)
    /// QUEUED mode: these older executions wait at this gate or before it.
    case olderFirst(String, [String])

    public var description: String {
        switch self {
        case .unknown(let id): "no execution \(id) in this repository's history"
        case .notWaiting(let id, let state): "\(id) is not waiting for an approval (it is \(state.rawValue))"
        case .olderFirst(let id, let older):
            "\(id) cannot pass before \(older.joined(separator: ", ")), which "
                + (older.count == 1 ? "waits" : "wait")
                + " for an older commit at this approval or before it (QUEUED mode keeps commit order); "
                + "answer \(older.count == 1 ? "it" : "them") first"
        }
    }
}

extension HistoryStore {
    /// Approves the gate an execution waits at: the stage succeeds, and the execution is
    /// queued for the next stage with `runner` responsible for it. Returns it as it is now.
    public func approve(_ id: String, by person: String, runner: RunnerIdentity) throws -> ExecutionDetail {
        let now = Milliseconds.from(clock())
        return try answering(id) { db, waiting in
            let blockers = ExecutionQueue.approvalBlockers(
                of: waiting.queueEntry, among: try liveEntries(db), mode: waiting.mode)
            if !blockers.isEmpty { return .olderFirst(id, blockers) }
            try db.execute(
                sql: """
                    UPDATE execution_stages SET status = ?, answered_by = ?, finished_at = ?
                    WHERE execution_id = ? AND position = ?
                    """,
                arguments: [StageStatus.succeeded.rawValue, person, now, id, waiting.nextStage])
            try db.execute(
                sql: "UPDATE executions SET state = ?, next_stage = ?, runner_pid = ?, runner_start = ? WHERE id = ?",
                arguments: [
                    ExecutionState.queued.rawValue, waiting.nextStage + 1, runner.pid, runner.startTicks, id,
                ])
            return nil
        }
    }

    /// Rejects the gate an execution waits at: the stage and the execution fail.
    public func reject(_ id: String, by person: String, reason: String?) throws -> ExecutionDetail {
        let now = Milliseconds.from(clock())
        return try answering(id) { db, waiting in
            let message = "rejected by \(person)" + (reason.map { ": \($0)" } ?? "")
            try db.execute(
                sql: """
                    UPDATE execution_stages SET status = ?, answered_by = ?, message = ?, finished_at = ?
                    WHERE execution_id = ? AND position = ?
                    """,
                arguments: [StageStatus.failed.rawValue, person, message, now, id, waiting.nextStage])
            try end(db, id, .rejected, message: message)
            return nil
        }
    }

    /// Runs `answer` on an execution waiting for an approval, in one transaction; a refusal
    /// (from the checks here or from `answer`) changes nothing and is thrown.
    private func answering(
        _ id: String, _ answer: (Database, ExecutionRecord) throws -> ApprovalRefusal?
    ) throws -> ExecutionDetail {
        let result: Result<ExecutionDetail, ApprovalRefusal> = try write { db in
            guard let waiting = try record(db, id) else { return .failure(.unknown(id)) }
            guard waiting.state == .awaitingApproval else { return .failure(.notWaiting(id, waiting.state)) }
            if let refusal = try answer(db, waiting) { return .failure(refusal) }
            guard let record = try record(db, id) else { return .failure(.unknown(id)) }
            return .success(ExecutionDetail(record: record, stages: try stages(db, id)))
        }
        return try result.get()
    }
}
