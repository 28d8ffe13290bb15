import Foundation
import GRDB
import TarmacCore

extension HistoryStore {
    /// Stores a bake as it starts; again as it ends (its end and whether it passed).
    public func recordBake(deploymentID: String, _ bake: BakeRecord) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO bakes (deployment_id, number, zone, started_at, ends_at, ended_at, passed)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (deployment_id, number) DO UPDATE SET ended_at = excluded.ended_at,
                      passed = excluded.passed
                    """,
                arguments: [
                    deploymentID, bake.number, bake.zone, Milliseconds.from(bake.startedAt),
                    Milliseconds.from(bake.endsAt), bake.endedAt.map(Milliseconds.from), bake.passed,
                ])
        }
    }

    /// Stores one check round: a row per host.
    public func recordCheckRound(deploymentID: String, bake: Int, _ round: CheckRoundRecord) throws {
        try write { db in
            for (position, host) in round.hosts.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO check_results (deployment_id, bake, round, position, at, host, healthy,
                          check_name, output)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        deploymentID, bake, round.round, position, Milliseconds.from(round.at), host.host,
                        host.healthy, host.check, host.output,
                    ])
            }
        }
    }

    /// A deployment's bakes with their rounds, in order.
    public func bakes(deploymentID: String) throws -> [BakeRecord] {
        try read { db in try Self.bakes(db, deploymentID: deploymentID) }
    }

    static func bakes(_ db: Database, deploymentID: String) throws -> [BakeRecord] {
        let results = try Row.fetchAll(
            db, sql: "SELECT * FROM check_results WHERE deployment_id = ? ORDER BY round, position",
            arguments: [deploymentID])
        let byBake = Dictionary(grouping: results) { $0["bake"] as Int }
        return try Row.fetchAll(
            db, sql: "SELECT * FROM bakes WHERE deployment_id = ? ORDER BY number", arguments: [deploymentID]
        ).map { row in
            let number: Int = row["number"]
            let rows = byBake[number] ?? []
            let rounds = Dictionary(grouping: rows) { $0["round"] as Int }.sorted { $0.key < $1.key }.map {
                round, rows in
                CheckRoundRecord(
                    round: round, at: Milliseconds.date(rows[0]["at"]),
                    hosts: rows.map {
                        CheckRoundRecord.HostCheck(
                            host: $0["host"], healthy: $0["healthy"], check: $0["check_name"], output: $0["output"])
                    })
            }
            let endedAt: Int64? = row["ended_at"]
            return BakeRecord(
                number: number, zone: row["zone"], startedAt: Milliseconds.date(row["started_at"]),
                endsAt: Milliseconds.date(row["ends_at"]), endedAt: endedAt.map(Milliseconds.date),
                passed: row["passed"], rounds: rounds)
        }
    }
}
