import GRDB

/// Bakes of health-gated deployments and their check rounds (issue 14).
extension HistorySchema {
    static func createBakeTables(_ db: Database) throws {
        try db.create(table: "bakes") { table in
            table.column("deployment_id", .text).notNull().references("deployments", onDelete: .cascade)
            table.column("number", .integer).notNull()
            table.column("zone", .text)
            table.column("started_at", .integer).notNull()
            table.column("ends_at", .integer).notNull()
            table.column("ended_at", .integer)
            table.column("passed", .boolean)
            table.primaryKey(["deployment_id", "number"])
        }
        try db.create(table: "check_results") { table in
            table.column("deployment_id", .text).notNull().references("deployments", onDelete: .cascade)
            table.column("bake", .integer).notNull()
            table.column("round", .integer).notNull()
            table.column("position", .integer).notNull()
            table.column("at", .integer).notNull()
            table.column("host", .text).notNull()
            table.column("healthy", .boolean).notNull()
            table.column("check_name", .text)
            table.column("output", .text)
            table.primaryKey(["deployment_id", "round", "position"])
        }
    }
}
