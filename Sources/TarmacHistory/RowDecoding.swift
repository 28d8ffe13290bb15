import Foundation
import GRDB
import TarmacCore
import TarmacDeploy

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
            finishedAt: (row["finished_at"] as Int64?).map(Milliseconds.date))
    }

    static func host(_ row: Row, events: [Row]) throws -> DeploymentHost {
        DeploymentHost(
            name: row["name"], address: row["address"],
            status: try word(row, "status", DeploymentStatus.init(rawValue:)), installed: row["installed"],
            message: row["message"], events: try events.map(event))
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

    private static func word<T>(_ row: Row, _ column: String, _ make: (String) -> T?) throws -> T {
        let text: String = row[column]
        guard let value = make(text) else {
            throw DatabaseError(message: "unknown \(column) \"\(text)\" in the history; written by a newer tarmac?")
        }
        return value
    }
}
