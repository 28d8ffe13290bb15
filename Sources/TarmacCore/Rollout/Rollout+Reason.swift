extension Rollout {
    /// Why a rollout stops hosts in flight or fails: facts, rendered as prose only when shown.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// So many hosts failed that the hosts not yet started could never be taken offline.
        case tooManyFailed(failed: Int, healthyLeft: Int, minimumHealthy: Int, notStarted: Int)
        /// Every host was deployed, but fewer succeeded than the configuration needs.
        case tooFewSucceeded(succeeded: Int, hosts: Int, needed: Int)
        /// The user asked to stop (Ctrl-C).
        case stopRequested
        /// The runner's hosts all ended without reporting (a runner defect, never expected).
        case noHostReported

        public var description: String {
            switch self {
            case .tooManyFailed(let failed, let healthyLeft, let minimumHealthy, let notStarted):
                return "\(failed) host\(failed == 1 ? "" : "s") failed: \(healthyLeft) healthy left, "
                    + "and the configuration needs \(minimumHealthy) to stay healthy; "
                    + "\(notStarted) host\(notStarted == 1 ? " was" : "s were") not started"
            case .tooFewSucceeded(let succeeded, let hosts, let needed):
                return "\(succeeded) of \(hosts) hosts succeeded; at least \(needed) had to"
            case .stopRequested: return "stopped on request"
            case .noHostReported: return "no host reported"
            }
        }
    }
}
