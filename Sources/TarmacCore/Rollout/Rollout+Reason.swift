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
        /// As `tooManyFailed`, where the next batch would also break its zone's minimum.
        case tooManyFailedInZone(
            failed: Int, healthyLeft: Int, zone: String, zoneHealthy: Int, zoneMinimum: Int, minimumHealthy: Int,
            notStarted: Int)
        /// A health check failed on a host during a bake.
        case healthCheckFailed(check: String, host: String, output: String)

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
            case .tooManyFailedInZone(
                let failed, let healthyLeft, let zone, let zoneHealthy, let zoneMinimum, let minimumHealthy,
                let notStarted):
                return "\(failed) host\(failed == 1 ? "" : "s") failed: \(healthyLeft) healthy left "
                    + "(\(zoneHealthy) in zone \(Quote.text(zone)), which needs \(zoneMinimum)), "
                    + "and the configuration needs \(minimumHealthy) to stay healthy; "
                    + "\(notStarted) host\(notStarted == 1 ? " was" : "s were") not started"
            case .healthCheckFailed(let check, let host, let output):
                return "health check \(Quote.text(check)) failed on \(host) during the bake: \(output)"
            }
        }
    }
}
