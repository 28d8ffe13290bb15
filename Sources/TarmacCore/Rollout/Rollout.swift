/// The scheduling of one deployment across a group (spec §6.2, §6.3), as a state machine
/// without I/O: host results go in, actions come out. The runner only carries them out.
///
/// N hosts, M = the configuration's minimum healthy hosts. A host in flight counts as
/// healthy until it fails; hosts unhealthy at the start are not counted and do not use
/// the offline budget. At most `healthy − M` healthy hosts are in flight. When a result
/// leaves `healthy ≤ M` with hosts not yet started, scheduling stops and the deployment
/// fails. It succeeds when `successes ≥ M` and at least one host succeeded.
public struct Rollout: Sendable {
    /// What the runner does next.
    public enum Action: Sendable, Equatable {
        /// Deploy to the host at this inventory index.
        case start(Int)
        /// The deployment can no longer succeed: hosts in flight finish their current event
        /// and stop; hosts never started are Skipped.
        case stopInFlight(Reason)
        /// Every host has reported: the verdict.
        case finish(Verdict)
    }

    /// How the deployment ended.
    public enum Verdict: Sendable, Equatable {
        case succeeded
        case failed(Reason)
        /// Stopped on request (Ctrl-C) before every host was deployed.
        case stopped
    }

    public let order: [Int]
    public let minimumHealthy: Int
    private let initiallyHealthy: [Bool]
    private var next = 0
    private var inFlight: Set<Int> = []
    private var healthy: Int
    /// Hosts unhealthy at the start that have not reported yet: each may still add one.
    private var unhealthyPending: Int
    private var successes = 0
    private var failures: [Int] = []
    private var halted: Reason?
    private var stopRequested = false
    private var finished = false

    /// Plans the rollout, or explains why it cannot start (M ≥ N: no host may go offline).
    public static func plan(config: DeploymentConfig, hosts: [RolloutHost]) -> Result<Rollout, StartCheckFailure> {
        let n = hosts.count
        let m = config.minimumHealthy(hostCount: n)
        guard n > 0 else { return .failure(StartCheckFailure(config: config, hostCount: 0, minimumHealthy: m)) }
        guard m < n else { return .failure(StartCheckFailure(config: config, hostCount: n, minimumHealthy: m)) }
        return .success(Rollout(hosts: hosts, minimumHealthy: m))
    }

    private init(hosts: [RolloutHost], minimumHealthy: Int) {
        self.minimumHealthy = minimumHealthy
        // Unhealthy first, then unknown revision, then an older one, then those already on it;
        // inventory order within each class.
        order = hosts.enumerated().sorted { ($0.element.health, $0.offset) < ($1.element.health, $1.offset) }
            .map(\.offset)
        var healthyAtStart = Array(repeating: true, count: hosts.count)
        for (index, host) in hosts.enumerated() where host.health == .unhealthy { healthyAtStart[index] = false }
        initiallyHealthy = healthyAtStart
        healthy = healthyAtStart.filter { $0 }.count
        unhealthyPending = hosts.count - healthy
    }

    /// How many hosts may be in flight at once when every host is healthy.
    public var batchSize: Int { order.count - minimumHealthy }

    /// The first hosts to start.
    public mutating func begin() -> [Action] {
        schedule()
    }

    /// A host finished: `succeeded` is its own verdict (an unreachable host failed).
    public mutating func hostFinished(_ index: Int, succeeded: Bool) -> [Action] {
        guard inFlight.remove(index) != nil else { return [] }
        if !initiallyHealthy[index] { unhealthyPending -= 1 }
        if succeeded {
            successes += 1
            if !initiallyHealthy[index] { healthy += 1 }
        } else {
            failures.append(index)
            if initiallyHealthy[index] { healthy -= 1 }
        }
        var actions: [Action] = []
        // The stop rule: even if every unhealthy host still running succeeds, the hosts not yet
        // started could never be taken offline.
        if halted == nil && !stopRequested && next < order.count && healthy + unhealthyPending <= minimumHealthy {
            halted = haltReason()
            if !inFlight.isEmpty { actions.append(.stopInFlight(halted!)) }
        }
        return actions + schedule()
    }

    /// Ctrl-C: start no more hosts; hosts in flight finish their current event.
    public mutating func requestStop() -> [Action] {
        guard !stopRequested && !finished else { return [] }
        stopRequested = true
        return (inFlight.isEmpty ? [] : [.stopInFlight(.stopRequested)]) + schedule()
    }

    /// Hosts that were never started (Skipped), once the rollout is over.
    public var notStarted: [Int] { Array(order[next...]) }

    private mutating func schedule() -> [Action] {
        guard !finished else { return [] }
        var actions: [Action] = []
        while halted == nil && !stopRequested && next < order.count && canStart(order[next]) {
            inFlight.insert(order[next])
            actions.append(.start(order[next]))
            next += 1
        }
        if inFlight.isEmpty && (next == order.count || halted != nil || stopRequested || actions.isEmpty) {
            finished = true
            actions.append(.finish(verdict()))
        }
        return actions
    }

    private func canStart(_ index: Int) -> Bool {
        let healthyInFlight = inFlight.filter { initiallyHealthy[$0] }.count
        if !initiallyHealthy[index] {
            return inFlight.count < max(1, batchSize)
        }
        return healthy - minimumHealthy - healthyInFlight >= 1
    }

    private func verdict() -> Verdict {
        if let halted { return .failed(halted) }
        if stopRequested && next < order.count { return .stopped }
        if next < order.count {
            return .failed(haltReason())
        }
        guard successes >= minimumHealthy && successes >= 1 else {
            return .failed(.tooFewSucceeded(succeeded: successes, hosts: order.count, needed: max(minimumHealthy, 1)))
        }
        return .succeeded
    }

    private func haltReason() -> Reason {
        .tooManyFailed(
            failed: failures.count, healthyLeft: healthy, minimumHealthy: minimumHealthy, notStarted: order.count - next
        )
    }
}

/// One host as the scheduler sees it: its health class at the start (spec §6.2 host order).
public struct RolloutHost: Sendable, Equatable {
    /// Health classes, in the order hosts are deployed.
    public enum Health: Int, Sendable, Comparable {
        /// The last deployment to it failed.
        case unhealthy
        /// Nothing is known of its revision.
        case unknown
        /// It runs another revision.
        case outdated
        /// It already runs the target revision.
        case current

        public static func < (a: Health, b: Health) -> Bool { a.rawValue < b.rawValue }
    }

    public var health: Health

    /// Creates a host of the given class.
    public init(health: Health = .unknown) {
        self.health = health
    }
}

/// Why a configuration cannot start on a group: no host may be taken offline.
public struct StartCheckFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var config: DeploymentConfig
    public var hostCount: Int
    public var minimumHealthy: Int

    public var description: String {
        guard hostCount > 0 else { return "the group has no hosts" }
        let arithmetic: String
        switch config.rule {
        case .hostCount(let value): arithmetic = "HOST_COUNT \(value)"
        case .fleetPercent(let percent):
            arithmetic = "ceil(\(percent)% × \(hostCount) hosts) = \(minimumHealthy)"
        case .oneAtATime: arithmetic = "\(hostCount) − 1 = \(minimumHealthy)"
        }
        return "\(config.name) needs \(minimumHealthy) of \(hostCount) host\(hostCount == 1 ? "" : "s") "
            + "to stay healthy (minimum healthy hosts: \(arithmetic)), so no host may be taken offline; "
            + "the deployment cannot start. Choose another configuration or add hosts."
    }
}
