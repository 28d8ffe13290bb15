import Foundation
import GRDB
import TarmacCore

extension HistoryStore {
    /// One execution with its stages, or nil for an unknown id.
    public func execution(_ id: String) throws -> ExecutionDetail? {
        try read { db in
            guard let record = try record(db, id) else { return nil }
            return ExecutionDetail(record: record, stages: try stages(db, id))
        }
    }

    /// Executions newest first, with their stages; with `group`, only those deploying to it.
    public func executions(group: String? = nil, limit: Int = 50) throws -> [ExecutionDetail] {
        try read { db in
            let rows: [Row]
            if let group {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM executions WHERE id IN (SELECT execution_id FROM execution_stages
                          WHERE kind = ? AND name = ?) ORDER BY sequence DESC LIMIT ?
                        """, arguments: [StageKind.deploy.rawValue, group, limit])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM executions ORDER BY sequence DESC LIMIT ?", arguments: [limit])
            }
            return try rows.map { row in
                let record = try RowDecoding.execution(row)
                return ExecutionDetail(record: record, stages: try stages(db, record.id))
            }
        }
    }

    /// The groups the history has deployments to, by name.
    public func deployedGroups() throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT group_name FROM deployments ORDER BY group_name")
        }
    }
}
