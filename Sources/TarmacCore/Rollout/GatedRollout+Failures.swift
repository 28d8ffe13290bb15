extension GatedRollout {
    /// A check that failed on a host.
    public struct CheckFailure: Sendable, Equatable, CustomStringConvertible {
        public var check: String
        public var host: Int
        public var output: String
        public var timedOut: Bool

        /// Creates a failure.
        public init(check: String, host: Int, output: String, timedOut: Bool = false) {
            self.check = check
            self.host = host
            self.output = output
            self.timedOut = timedOut
        }

        public var description: String {
            "health check \(Quote.text(check)) \(timedOut ? "timed out" : "failed") on host #\(host)"
                + (output.isEmpty ? "" : ": \(output)")
        }
    }
}

/// Why a health-gated rollout cannot start.
public enum GatedStartFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The group-wide arithmetic, as for every rollout.
    case group(StartCheckFailure)
    /// A zone where no host may be taken offline, or a batch that hosts unhealthy at the start
    /// keep from ever starting.
    case zone(String)

    public var description: String {
        switch self {
        case .group(let failure): failure.description
        case .zone(let message): message
        }
    }
}
