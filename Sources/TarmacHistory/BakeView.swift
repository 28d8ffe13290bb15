import Foundation
import TarmacCore

/// One bake in `show --json`: `{number, zone?, started_at, ends_at, ended_at, passed, rounds}`,
/// each round `{round, at, hosts: [{host, healthy, check?, output?}]}`.
public struct BakeView: Codable, Sendable, Equatable {
    public struct Round: Codable, Sendable, Equatable {
        public var round: Int
        public var at: Date
        public var hosts: [HostCheck]
    }

    public struct HostCheck: Codable, Sendable, Equatable {
        public var host: String
        public var healthy: Bool
        public var check: String?
        public var output: String?
    }

    public var number: Int
    public var zone: String?
    public var startedAt: Date
    public var endsAt: Date
    public var endedAt: Date?
    public var passed: Bool?
    public var rounds: [Round]

    enum CodingKeys: String, CodingKey {
        case number, zone
        case startedAt = "started_at"
        case endsAt = "ends_at"
        case endedAt = "ended_at"
        case passed, rounds
    }

    /// The view of a recorded bake.
    public init(_ bake: BakeRecord) {
        number = bake.number
        zone = bake.zone
        startedAt = bake.startedAt
        endsAt = bake.endsAt
        endedAt = bake.endedAt
        passed = bake.passed
        rounds = bake.rounds.map { round in
            Round(
                round: round.round, at: round.at,
                hosts: round.hosts.map {
                    HostCheck(host: $0.host, healthy: $0.healthy, check: $0.check, output: $0.output)
                })
        }
    }
}
