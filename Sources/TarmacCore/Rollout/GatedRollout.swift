/// A health-gated rollout (issue 14) as a state machine without I/O: zones one at a time, in
/// order; batches inside a zone; a bake after each zone (`zonal:`) or each batch (`bake:`) with
/// health check rounds every `interval`. Host results, check rounds and the time go in;
/// actions come out. Times are milliseconds on the runner's clock.
///
/// A batch starts only when taking it offline leaves the group's and the zone's minimums
/// healthy; otherwise scheduling stops and the deployment fails. As in `Rollout` (spec §6.2),
/// hosts unhealthy at the start are not counted healthy (in the group or their zone) and
/// cost nothing to take offline; one that succeeds becomes healthy. A failing check during a
/// bake stops the rollout at once with a verdict naming the check, host and output.
public struct GatedRollout: Sendable {
    /// What the runner does next.
    public enum Action: Sendable, Equatable {
        /// Deploy to the host at this inventory index.
        case start(Int)
        /// Ctrl-C while hosts are in flight: they finish their current event and stop.
        case stopInFlight(Rollout.Reason)
        /// A bake began; the runner records it.
        case bakeStarted(Bake)
        /// Run every check on these hosts (every host deployed so far), then call `roundFinished`.
        case runChecks(round: Int, hosts: [Int])
        /// Wait until this time (or a stop request), then call `timeReached`.
        case wait(until: Int64)
        /// The bake ended (passed or not); the runner records it.
        case bakeEnded(Bake, passed: Bool)
        /// The verdict; nothing further starts.
        case finish(Verdict)
    }

    /// How the rollout ended.
    public enum Verdict: Sendable, Equatable {
        case succeeded
        case failed(Rollout.Reason)
        /// A check failed during a bake.
        case unhealthy(CheckFailure)
        /// Stopped on request (Ctrl-C).
        case stopped
    }

    /// One bake: the zone (nil without zones), its number in the rollout, and its window.
    public struct Bake: Sendable, Equatable {
        public var zone: String?
        public var number: Int
        public var start: Int64
        public var end: Int64
    }

    struct Batch {
        var zone: Int
        var hosts: [Int]
        var bakeSeconds: Int?
    }

    public let zonePlan: ZonePlan
    let batches: [Batch]
    let interval: Int64
    let hasChecks: Bool
    let groupSize: Int
    /// By inventory index: not unhealthy at the start.
    let initiallyHealthy: [Bool]
    var next = 0
    var inFlight: Set<Int> = []
    var deployed: [Int] = []
    var failures = 0
    var healthy: Int
    var zoneHealthy: [Int]
    private var bake: Bake?
    private var nextRound: Int64 = 0
    private var rounds = 0
    private var roundInFlight = false
    private var closingRound = false
    private var bakesSoFar = 0
    private var stopRequested = false
    private var finished = false

    /// Plans the rollout or refuses it before any host is touched: no hosts, M ≥ N, or a zone
    /// where no host may be taken offline.
    public static func plan(
        config: DeploymentConfig, hosts: [RolloutHost], zones: [String?], health: HealthSettings?
    ) -> Result<GatedRollout, GatedStartFailure> {
        let n = hosts.count
        let m = config.minimumHealthy(hostCount: n)
        guard n > 0, m < n else {
            return .failure(.group(StartCheckFailure(config: config, hostCount: n, minimumHealthy: m)))
        }
        let order = hosts.enumerated().sorted { ($0.element.health, $0.offset) < ($1.element.health, $1.offset) }
            .map(\.offset)
        let plan = ZonePlan.make(config: config, zones: zones, order: order)
        if let problem = plan.startProblem(config: config) { return .failure(.zone(problem)) }
        let rollout = GatedRollout(plan: plan, hosts: hosts, health: health)
        if let problem = rollout.unhealthyStartProblem(config: config) { return .failure(.zone(problem)) }
        return .success(rollout)
    }

    private init(plan: ZonePlan, hosts: [RolloutHost], health: HealthSettings?) {
        self.zonePlan = plan
        groupSize = hosts.count
        interval = Int64(health?.interval ?? HealthSettings.defaultInterval) * 1000
        hasChecks = !(health?.checks.isEmpty ?? true)
        let initiallyHealthy = hosts.map { $0.health != .unhealthy }
        self.initiallyHealthy = initiallyHealthy
        healthy = initiallyHealthy.filter { $0 }.count
        zoneHealthy = plan.zones.map { $0.hosts.filter { initiallyHealthy[$0] }.count }
        batches = plan.zones.enumerated().flatMap { index, zone in
            let cut = zone.batches
            return cut.enumerated().map { position, hosts in
                let bakes = zone.bakeEachBatch || position == cut.count - 1
                return Batch(zone: index, hosts: hosts, bakeSeconds: bakes ? zone.bakeSeconds : nil)
            }
        }
    }

    /// The bake under way, if any.
    public var currentBake: Bake? { bake }

    /// Hosts never started, once the rollout is over (Skipped).
    public var notStarted: [Int] { batches[min(next, batches.count)...].flatMap(\.hosts) }

    /// The first batch.
    public mutating func begin(now: Int64) -> [Action] {
        startBatch(now: now)
    }

    /// A host finished: `succeeded` includes the checks run right after its ValidateService.
    public mutating func hostFinished(_ index: Int, succeeded: Bool, now: Int64) -> [Action] {
        guard inFlight.remove(index) != nil else { return [] }
        let zone = batches[next - 1].zone
        if succeeded {
            deployed.append(index)
            if !initiallyHealthy[index] {
                healthy += 1
                zoneHealthy[zone] += 1
            }
        } else {
            failures += 1
            if initiallyHealthy[index] {
                healthy -= 1
                zoneHealthy[zone] -= 1
            }
        }
        guard inFlight.isEmpty else { return [] }
        if stopRequested { return finish(.stopped) }
        if let reason = blocked() { return finish(.failed(reason)) }
        if let seconds = batches[next - 1].bakeSeconds {
            bakesSoFar += 1
            let bake = Bake(
                zone: zonePlan.zones[batches[next - 1].zone].label, number: bakesSoFar, start: now,
                end: now + Int64(seconds) * 1000)
            return beginBake(bake, now: now)
        }
        return startBatch(now: now)
    }

    /// A check round finished; `failed` lists the checks that failed (non-zero exit or timeout).
    public mutating func roundFinished(failed: [CheckFailure], now: Int64) -> [Action] {
        guard roundInFlight, let bake else { return [] }
        roundInFlight = false
        if let first = failed.first {
            self.bake = nil
            return [.bakeEnded(bake, passed: false)] + finish(.unhealthy(first))
        }
        if stopRequested {
            self.bake = nil
            return [.bakeEnded(bake, passed: false)] + finish(.stopped)
        }
        return tick(now: now)
    }

    /// The time asked for by `wait` has come.
    public mutating func timeReached(now: Int64) -> [Action] {
        guard bake != nil, !roundInFlight, !finished else { return [] }
        return tick(now: now)
    }

    /// Ctrl-C: nothing further starts; a bake ends at once (after a round in flight).
    public mutating func requestStop() -> [Action] {
        guard !stopRequested, !finished else { return [] }
        stopRequested = true
        if !inFlight.isEmpty { return [.stopInFlight(.stopRequested)] }
        if roundInFlight { return [] }
        var actions: [Action] = []
        if let bake { actions.append(.bakeEnded(bake, passed: false)) }
        bake = nil
        return actions + finish(.stopped)
    }

    private mutating func beginBake(_ started: Bake, now: Int64) -> [Action] {
        bake = started
        nextRound = now
        closingRound = false
        return [.bakeStarted(started)] + tick(now: now)
    }

    /// Inside a bake: a round when one is due, the end when it has come, else a wait.
    private mutating func tick(now: Int64) -> [Action] {
        guard let bake else { return [] }
        let checking = hasChecks && !deployed.isEmpty
        if now >= bake.end {
            if checking && !closingRound {
                closingRound = true
                return runRound()
            }
            self.bake = nil
            return [.bakeEnded(bake, passed: true)] + startBatch(now: now)
        }
        if checking && now >= nextRound {
            nextRound += interval
            while nextRound <= now { nextRound += interval }
            return runRound()
        }
        return [.wait(until: checking ? min(nextRound, bake.end) : bake.end)]
    }

    private mutating func runRound() -> [Action] {
        rounds += 1
        roundInFlight = true
        return [.runChecks(round: rounds, hosts: deployed)]
    }

    private mutating func startBatch(now: Int64) -> [Action] {
        guard next < batches.count else {
            let successes = deployed.count
            let m = zonePlan.minimumHealthy
            guard successes >= max(m, 1) else {
                return finish(.failed(.tooFewSucceeded(succeeded: successes, hosts: groupSize, needed: max(m, 1))))
            }
            return finish(.succeeded)
        }
        if let reason = blocked() { return finish(.failed(reason)) }
        let batch = batches[next]
        next += 1
        inFlight = Set(batch.hosts)
        return batch.hosts.map { .start($0) }
    }

    private mutating func finish(_ verdict: Verdict) -> [Action] {
        guard !finished else { return [] }
        finished = true
        return [.finish(verdict)]
    }

}
