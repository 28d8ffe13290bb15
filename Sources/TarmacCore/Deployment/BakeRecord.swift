import Foundation

/// One bake of a health-gated deployment as the history keeps it (issue 14).
public struct BakeRecord: Sendable, Equatable {
    public var number: Int
    /// The zone it followed; nil without zones.
    public var zone: String?
    public var startedAt: Date
    /// When it was due to end.
    public var endsAt: Date
    /// When it ended, and whether it passed; nil while it runs.
    public var endedAt: Date?
    public var passed: Bool?
    /// Its check rounds, in order.
    public var rounds: [CheckRoundRecord]

    /// Creates a record.
    public init(
        number: Int, zone: String?, startedAt: Date, endsAt: Date, endedAt: Date? = nil, passed: Bool? = nil,
        rounds: [CheckRoundRecord] = []
    ) {
        self.number = number
        self.zone = zone
        self.startedAt = startedAt
        self.endsAt = endsAt
        self.endedAt = endedAt
        self.passed = passed
        self.rounds = rounds
    }
}

/// One round of health checks during a bake: each host's result.
public struct CheckRoundRecord: Sendable, Equatable {
    /// One host's result: healthy, or the check that failed and its output.
    public struct HostCheck: Sendable, Equatable {
        public var host: String
        public var healthy: Bool
        public var check: String?
        public var output: String?

        /// Creates a result.
        public init(host: String, healthy: Bool, check: String? = nil, output: String? = nil) {
            self.host = host
            self.healthy = healthy
            self.check = check
            self.output = output
        }
    }

    public var round: Int
    public var at: Date
    public var hosts: [HostCheck]

    /// Creates a record.
    public init(round: Int, at: Date, hosts: [HostCheck]) {
        self.round = round
        self.at = at
        self.hosts = hosts
    }
}
