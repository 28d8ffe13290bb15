import GRDB

/// The schema of `.tarmac/state.db`, one migration per change; never edit a shipped one.
enum HistorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-deployments", migrate: createTables)
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
}
