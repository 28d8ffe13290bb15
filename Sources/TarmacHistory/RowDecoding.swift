import Foundation
import GRDB
import TarmacCore

/// Database rows to the history's types; a word the schema does not know is a storage error.
enum RowDecoding {
    static func record(_ row: Row) throws -> DeploymentRecord {
        DeploymentRecord(
            id: row["id"], group: row["group_name"], application: row["application"], revision: row["revision"],
            commit: row["commit_id"], bundleSHA256: row["bundle_sha256"], bundlePath: row["bundle_path"],
            configName: row["config_name"],
            fileExistsBehavior: try word(row, "file_exists_behavior", FileExistsBehavior.init(rawValue:)),
            ignoreApplicationStopFailures: row["ignore_application_stop_failures"],
            creator: try word(row, "creator", DeploymentCreator.init(rawValue:)),
            rollbackOf: row["rollback_of"], executionID: row["execution_id"],
            status: try word(row, "status", DeploymentStatus.init(rawValue:)), message: row["message"],
            startedAt: Milliseconds.date(row["started_at"] as Int64),
            finishedAt: (row["finished_at"] as Int64?).map(Milliseconds.date)
        ).with(retryOf: row["retry_of"], windowOverriddenBy: row["window_overridden_by"])
    }

    static func host(_ row: Row, events: [Row]) throws -> DeploymentHost {
        DeploymentHost(
            name: row["name"], address: row["address"],
            status: try word(row, "status", DeploymentStatus.init(rawValue:)), installed: row["installed"],
            message: row["message"], transfer: try transfer(row), events: try events.map(event))
    }

    static func transfer(_ row: Row) throws -> Transfer? {
        guard let text: String = row["transfer"] else { return nil }
        do {
            return try JSONDecoder().decode(Transfer.self, from: Data(text.utf8))
        } catch {
            throw DatabaseError(
                message: "a host's transfer in the history cannot be read (written by a newer tarmac?): \(error)")
        }
    }

    static func event(_ row: Row) throws -> EventResult {
        EventResult(
            name: row["name"], status: try word(row, "status", DeploymentStatus.init(rawValue:)),
            startedAt: (row["started_at"] as Int64?).map(Milliseconds.date),
            finishedAt: (row["finished_at"] as Int64?).map(Milliseconds.date), exitCode: row["exit_code"],
            message: row["message"])
    }

    static func output(_ row: Row) throws -> OutputLine {
        OutputLine(
            time: Milliseconds.date(row["time"] as Int64), host: row["host"], event: row["event"],
            stream: try word(row, "stream", HookStream.init(rawValue:)), text: row["line"])
    }

    static func word<T>(_ row: Row, _ column: String, _ make: (String) -> T?) throws -> T {
        let text: String = row[column]
        guard let value = make(text) else {
            throw DatabaseError(message: "unknown \(column) \"\(text)\" in the history; written by a newer tarmac?")
        }
        return value
    }
}

extension RowDecoding {
    static func execution(_ row: Row) throws -> ExecutionRecord {
        var record = ExecutionRecord(
            id: row["id"], application: row["application"], commit: row["commit_id"], subject: row["subject"],
            branch: row["branch"], trigger: try word(row, "trigger", ExecutionTrigger.init(rawValue:)),
            logPath: row["log_path"])
        record.sequence = row["sequence"]
        record.mode = try word(row, "mode", Pipeline.Mode.init(rawValue:))
        record.state = try word(row, "state", ExecutionState.init(rawValue:))
        record.nextStage = row["next_stage"]
        record.message = row["message"]
        record.revision = row["revision"]
        record.bundlePath = row["bundle_path"]
        record.bundleSHA256 = row["bundle_sha256"]
        if let pid: Int32 = row["runner_pid"] {
            record.runner = RunnerIdentity(pid: pid, startTicks: row["runner_start"] ?? 0)
        }
        record.createdAt = Milliseconds.date(row["created_at"] as Int64)
        record.finishedAt = (row["finished_at"] as Int64?).map(Milliseconds.date)
        return record
    }

    static func stage(_ row: Row) throws -> StageRecord {
        var stage = StageRecord(
            position: row["position"], kind: try word(row, "kind", StageKind.init(rawValue:)), name: row["name"],
            status: try word(row, "status", StageStatus.init(rawValue:)))
        stage.message = row["message"]
        stage.deploymentID = row["deployment_id"]
        stage.answeredBy = row["answered_by"]
        stage.startedAt = (row["started_at"] as Int64?).map(Milliseconds.date)
        stage.finishedAt = (row["finished_at"] as Int64?).map(Milliseconds.date)
        return stage
    }
}
