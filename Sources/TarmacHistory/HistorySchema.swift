import GRDB

/// The schema of `.tarmac/state.db`, one migration per change; never edit a shipped one.
enum HistorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-deployments", migrate: createTables)
        migrator.registerMigration("v2-executions", migrate: createExecutionTables)
        migrator.registerMigration("v3-interrupted", migrate: addInterrupted)
        migrator.registerMigration("v4-retry-window", migrate: addRetryAndWindowOverride)
        migrator.registerMigration("v5-bakes", migrate: createBakeTables)
        migrator.registerMigration("v6-transfers", migrate: addTransfers)
        return migrator
    }

    /// Times are integer milliseconds since 1970 (UTC); statuses are the contract's words.
    private static func createTables(_ db: Database) throws {
        try db.create(table: "deployments") { table in
            table.primaryKey("id", .text)
            table.column("group_name", .text).notNull()
            table.column("application", .text).notNull()
            table.column("revision", .text).notNull()
            table.column("commit_id", .text)
            table.column("bundle_sha256", .text).notNull()
            table.column("bundle_path", .text)
            table.column("config_name", .text).notNull()
            table.column("file_exists_behavior", .text).notNull()
            table.column("ignore_application_stop_failures", .boolean).notNull()
            table.column("status", .text).notNull()
            table.column("creator", .text).notNull()
            table.column("rollback_of", .text).references("deployments", onDelete: .setNull)
            table.column("execution_id", .text)
            table.column("message", .text)
            table.column("started_at", .integer).notNull()
            table.column("finished_at", .integer)
            // The process that runs it, so a later process can tell a crashed run from a live one.
            table.column("owner_pid", .integer)
        }
        try db.create(index: "deployments_by_group", on: "deployments", columns: ["group_name", "started_at"])
        try db.create(index: "deployments_by_start", on: "deployments", columns: ["started_at"])
        try createHostTables(db)
    }

    /// Hosts, their lifecycle events and the hook output, all owned by a deployment.
    private static func createHostTables(_ db: Database) throws {
        try db.create(table: "deployment_hosts") { table in
            table.column("deployment_id", .text).notNull().references("deployments", onDelete: .cascade)
            table.column("name", .text).notNull()
            table.column("address", .text).notNull()
            table.column("position", .integer).notNull()
            table.column("status", .text).notNull()
            table.column("installed", .boolean).notNull().defaults(to: false)
            table.column("message", .text)
            table.primaryKey(["deployment_id", "name"])
        }
        try db.create(table: "events") { table in
            table.column("deployment_id", .text).notNull()
            table.column("host", .text).notNull()
            table.column("position", .integer).notNull()
            table.column("name", .text).notNull()
            table.column("status", .text).notNull()
            table.column("started_at", .integer)
            table.column("finished_at", .integer)
            table.column("exit_code", .integer)
            table.column("message", .text)
            table.primaryKey(["deployment_id", "host", "position"])
            table.uniqueKey(["deployment_id", "host", "name"])
            table.foreignKey(
                ["deployment_id", "host"], references: "deployment_hosts", columns: ["deployment_id", "name"],
                onDelete: .cascade)
        }
        try db.create(table: "outputs") { table in
            // An alias of the rowid (no AUTOINCREMENT, which costs a write per insert): arrival order.
            table.primaryKey("id", .integer)
            table.column("deployment_id", .text).notNull().references("deployments", onDelete: .cascade)
            table.column("host", .text).notNull()
            table.column("event", .text).notNull()
            table.column("stream", .text).notNull()
            table.column("time", .integer).notNull()
            table.column("line", .text).notNull()
        }
        try db.create(index: "outputs_by_deployment", on: "outputs", columns: ["deployment_id"])
    }

    /// Pipeline executions and their stages; deployments point at them by `execution_id`.
    private static func createExecutionTables(_ db: Database) throws {
        try db.create(table: "executions") { table in
            table.primaryKey("id", .text)
            table.column("sequence", .integer).notNull().unique()
            table.column("application", .text).notNull()
            table.column("commit_id", .text).notNull()
            table.column("subject", .text)
            table.column("branch", .text)
            table.column("trigger", .text).notNull()
            table.column("mode", .text).notNull()
            table.column("state", .text).notNull()
            table.column("next_stage", .integer).notNull()
            table.column("message", .text)
            table.column("revision", .text)
            table.column("bundle_path", .text)
            table.column("bundle_sha256", .text)
            table.column("log_path", .text).notNull()
            // The process that should be running it: pid and its start time, so a reused pid
            // is not taken for the runner.
            table.column("runner_pid", .integer)
            table.column("runner_start", .integer)
            table.column("created_at", .integer).notNull()
            table.column("finished_at", .integer)
        }
        try db.create(index: "executions_by_state", on: "executions", columns: ["state"])
        try db.create(table: "execution_stages") { table in
            table.column("execution_id", .text).notNull().references("executions", onDelete: .cascade)
            table.column("position", .integer).notNull()
            table.column("kind", .text).notNull()
            table.column("name", .text).notNull()
            table.column("status", .text).notNull()
            table.column("message", .text)
            table.column("deployment_id", .text)
            table.column("answered_by", .text)
            table.column("started_at", .integer)
            table.column("finished_at", .integer)
            table.primaryKey(["execution_id", "position"])
        }
        try db.create(index: "deployments_by_execution", on: "deployments", columns: ["execution_id"])
    }

    /// Deployments whose process died are marked by a column of their own, not by their message.
    /// Those stopped so before the column existed carry the message `markInterrupted` wrote.
    private static func addInterrupted(_ db: Database) throws {
        try db.alter(table: "deployments") { table in
            table.add(column: "interrupted", .boolean).notNull().defaults(to: false)
        }
        try db.execute(
            sql: "UPDATE deployments SET interrupted = 1 WHERE status = 'Stopped' AND message = ?",
            arguments: ["interrupted: the tarmac process running it ended before it finished"])
    }

    /// `deploy --retry` links the new deployment to the one it retries; `--outside-window`
    /// records who started a deployment outside the group's window.
    private static func addRetryAndWindowOverride(_ db: Database) throws {
        try db.alter(table: "deployments") { table in
            table.add(column: "retry_of", .text)
            table.add(column: "window_overridden_by", .text)
        }
    }

    /// What DownloadBundle sent each host (issue 13): the `Transfer` as JSON, NULL before it ran.
    private static func addTransfers(_ db: Database) throws {
        try db.alter(table: "deployment_hosts") { table in
            table.add(column: "transfer", .text)
        }
    }
}
