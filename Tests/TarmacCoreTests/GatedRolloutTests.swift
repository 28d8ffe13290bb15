import Testing

@testable import TarmacCore

/// The health-gated rollout of issue 14 as tables: zones in order, batches inside a zone,
/// bakes with check rounds every interval, a failing round, Ctrl-C during a bake, and the
/// per-zone start check. Time is simulated: a `wait` jumps the clock to its deadline.
@Suite struct GatedRolloutTests {
    static let zonal = DeploymentConfig(
        name: "Zonal", rule: .hostCount(1),
        zonal: ZonalConfig(monitorDuration: 20, firstZoneMonitorDuration: 30, minimumHealthyPerZone: .hostCount(1)))
    static let health = HealthSettings(interval: 10, checks: [HealthCheck(name: "app", command: "true")])

    struct Script {
        /// Hosts whose deployment fails.
        var failingHosts: Set<Int> = []
        /// The check round (1-based) that fails, and on which host.
        var failingRound: (round: Int, host: Int)?
        /// Request a stop when the clock reaches this time (during a wait).
        var stopAt: Int64?
    }

    /// Runs the rollout to its verdict and returns what it did, one line per action.
    func run(
        _ config: DeploymentConfig, zones: [String?], health: HealthSettings? = Self.health,
        classes: [RolloutHost.Health]? = nil, _ script: Script = Script()
    ) throws -> (trace: [String], verdict: GatedRollout.Verdict, skipped: [Int]) {
        let hosts = (classes ?? zones.map { _ in .unknown }).map { RolloutHost(health: $0) }
        var rollout = try GatedRollout.plan(config: config, hosts: hosts, zones: zones, health: health).get()
        var now: Int64 = 0
        var trace: [String] = []
        var pending = rollout.begin(now: now)
        var started: [Int] = []
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .start(let host):
                trace.append("t=\(now / 1000) start \(host)")
                started.append(host)
                // Hosts finish in the order they started, once the whole batch is started.
                if !pending.contains(where: { if case .start = $0 { true } else { false } }) {
                    for host in started {
                        pending += rollout.hostFinished(host, succeeded: !script.failingHosts.contains(host), now: now)
                    }
                    started = []
                }
            case .stopInFlight(let reason): trace.append("t=\(now / 1000) stop in flight: \(reason)")
            case .bakeStarted(let bake):
                trace.append("t=\(now / 1000) bake \(bake.number) zone \(bake.zone ?? "-") until \(bake.end / 1000)")
            case .runChecks(let round, let hosts):
                trace.append("t=\(now / 1000) round \(round) on \(hosts)")
                var failed: [GatedRollout.CheckFailure] = []
                if let failing = script.failingRound, failing.round == round {
                    failed = [GatedRollout.CheckFailure(check: "app", host: failing.host, output: "503")]
                }
                pending += rollout.roundFinished(failed: failed, now: now)
            case .wait(let until):
                if let stopAt = script.stopAt, stopAt <= until, now < stopAt {
                    now = stopAt
                    trace.append("t=\(now / 1000) ctrl-c")
                    pending += rollout.requestStop()
                } else {
                    now = until
                    pending += rollout.timeReached(now: now)
                }
            case .bakeEnded(let bake, let passed):
                trace.append("t=\(now / 1000) bake \(bake.number) \(passed ? "passed" : "ended")")
            case .finish(let verdict): return (trace, verdict, rollout.notStarted)
            }
        }
        Issue.record("the rollout ended without a verdict")
        return (trace, .stopped, [])
    }

    @Test func zonesGoInOrderWithALongerFirstBakeAndBatchesInsideAZone() throws {
        // Zones a (hosts 0, 2) and b (1, 3); one healthy per zone → batches of one; a bake
        // after each zone, 30 s after the first, 20 s after the others; rounds every 10 s and at the end.
        let result = try run(Self.zonal, zones: ["a", "b", "a", "b"])
        #expect(
            result.trace == [
                "t=0 start 0", "t=0 start 2", "t=0 bake 1 zone a until 30", "t=0 round 1 on [0, 2]",
                "t=10 round 2 on [0, 2]", "t=20 round 3 on [0, 2]", "t=30 round 4 on [0, 2]", "t=30 bake 1 passed",
                "t=30 start 1", "t=30 start 3", "t=30 bake 2 zone b until 50", "t=30 round 5 on [0, 2, 1, 3]",
                "t=40 round 6 on [0, 2, 1, 3]", "t=50 round 7 on [0, 2, 1, 3]", "t=50 bake 2 passed",
            ])
        #expect(result.verdict == .succeeded && result.skipped.isEmpty)
    }

    @Test func aFailingRoundStopsTheRolloutAndSkipsLaterZones() throws {
        let result = try run(Self.zonal, zones: ["a", "b", "a", "b"], Script(failingRound: (2, 2)))
        #expect(
            result.trace == [
                "t=0 start 0", "t=0 start 2", "t=0 bake 1 zone a until 30", "t=0 round 1 on [0, 2]",
                "t=10 round 2 on [0, 2]", "t=10 bake 1 ended",
            ])
        #expect(result.verdict == .unhealthy(GatedRollout.CheckFailure(check: "app", host: 2, output: "503")))
        #expect(result.skipped == [1, 3])
    }

    @Test func bakeFollowsEveryBatchWithoutZones() throws {
        // FLEET_PERCENT 50 of 4: batches of two; a 5 s bake after each; interval 10 → one round
        // at the start and one at the end of each bake.
        let canary = DeploymentConfig(name: "Canary", rule: .fleetPercent(50), bake: 5)
        let result = try run(canary, zones: [nil, nil, nil, nil])
        #expect(
            result.trace == [
                "t=0 start 0", "t=0 start 1", "t=0 bake 1 zone - until 5", "t=0 round 1 on [0, 1]",
                "t=5 round 2 on [0, 1]", "t=5 bake 1 passed", "t=5 start 2", "t=5 start 3",
                "t=5 bake 2 zone - until 10", "t=5 round 3 on [0, 1, 2, 3]", "t=10 round 4 on [0, 1, 2, 3]",
                "t=10 bake 2 passed",
            ])
        #expect(result.verdict == .succeeded)
    }

    @Test func aBakeWithoutChecksOnlyWaits() throws {
        let canary = DeploymentConfig(name: "Canary", rule: .hostCount(0), bake: 7)
        let result = try run(canary, zones: [nil, nil], health: nil)
        #expect(
            result.trace == ["t=0 start 0", "t=0 start 1", "t=0 bake 1 zone - until 7", "t=7 bake 1 passed"])
        #expect(result.verdict == .succeeded)
    }

    @Test func ctrlCDuringABakeStopsAndStartsNothing() throws {
        let result = try run(Self.zonal, zones: ["a", "b", "a", "b"], Script(stopAt: 15_000))
        #expect(result.trace.suffix(3) == ["t=10 round 2 on [0, 2]", "t=15 ctrl-c", "t=15 bake 1 ended"])
        #expect(result.verdict == .stopped && result.skipped == [1, 3])
    }

    @Test func aFailedHostThatBreaksTheZoneMinimumStopsBeforeTheBake() throws {
        // Zone a has three hosts, two must stay healthy → batches of one; host 0 fails.
        let config = DeploymentConfig(
            name: "Z", rule: .hostCount(0),
            zonal: ZonalConfig(monitorDuration: 10, minimumHealthyPerZone: .hostCount(2)))
        let result = try run(config, zones: ["a", "a", "a", "b", "b", "b"], Script(failingHosts: [0]))
        #expect(result.trace == ["t=0 start 0"])
        #expect(
            result.verdict
                == .failed(
                    .tooManyFailedInZone(
                        failed: 1, healthyLeft: 5, zone: "a", zoneHealthy: 2, zoneMinimum: 2, minimumHealthy: 0,
                        notStarted: 5)))
        #expect(
            "\(Rollout.Reason.tooManyFailedInZone(failed: 1, healthyLeft: 5, zone: "a", zoneHealthy: 2, zoneMinimum: 2, minimumHealthy: 0, notStarted: 5))"
                == "1 host failed: 5 healthy left (2 in zone \"a\", which needs 2), and the configuration needs 0 "
                + "to stay healthy; 5 hosts were not started")
        #expect(result.skipped == [1, 2, 3, 4, 5])
    }

    @Test func failuresWithinTheMinimumsCarryOn() throws {
        let config = DeploymentConfig(
            name: "Z", rule: .hostCount(0), zonal: ZonalConfig(monitorDuration: 0, minimumHealthyPerZone: .hostCount(0))
        )
        let result = try run(config, zones: ["a", "b"], Script(failingHosts: [0]))
        #expect(
            result.trace == [
                "t=0 start 0", "t=0 bake 1 zone a until 0", "t=0 bake 1 passed", "t=0 start 1",
                "t=0 bake 2 zone b until 0", "t=0 round 1 on [1]", "t=0 bake 2 passed",
            ])
        #expect(result.verdict == .succeeded)
    }

    @Test(
        arguments: [
            // zones, per-zone rule, group rule, the refusal (nil: it starts)
            (["a", "b", "b"], DeploymentConfig.Rule.hostCount(1), DeploymentConfig.Rule.hostCount(0), "zone \"a\""),
            (["a", "a", "b", "b"], .fleetPercent(100), .hostCount(0), "zone \"a\""),
            (["a", "a", "b", "b"], .hostCount(1), .hostCount(1), nil),
            (["a", "a", "b", "b"], .fleetPercent(50), .hostCount(3), nil),
            (["a", "b"], .hostCount(0), .hostCount(2), "needs 2 of 2 hosts"),
        ] as [([String], DeploymentConfig.Rule, DeploymentConfig.Rule, String?)])
    func startCheckCoversPerZoneArithmetic(
        zones: [String], perZone: DeploymentConfig.Rule, group: DeploymentConfig.Rule, refusal: String?
    ) {
        let config = DeploymentConfig(
            name: "Z", rule: group, zonal: ZonalConfig(monitorDuration: 1, minimumHealthyPerZone: perZone))
        let hosts = zones.map { _ in RolloutHost() }
        switch GatedRollout.plan(config: config, hosts: hosts, zones: zones, health: nil) {
        case .success: #expect(refusal == nil)
        case .failure(let failure):
            #expect(refusal.map { failure.description.contains($0) } == true, "\(failure)")
        }
    }

    @Test func planShowsZonesBatchesAndTheMinimumDuration() {
        let plan = ZonePlan.make(config: Self.zonal, zones: ["a", "b", "a", "b", "b"])
        #expect(plan.zones.map(\.label) == ["a", "b"])
        #expect(
            plan.zones.map(\.batches) == [[[0], [2]], [[1, 3], [4]]], "zone b of three keeps one: two at a time")
        #expect(plan.minimumBakeSeconds == 50)
        let canary = ZonePlan.make(
            config: DeploymentConfig(name: "C", rule: .fleetPercent(50), bake: 60), zones: [nil, nil, nil])
        #expect(canary.zones.map(\.batches) == [[[0], [1], [2]]])
        #expect(canary.minimumBakeSeconds == 180)
    }

    // MARK: Hosts unhealthy at the start (spec §6.2, as in `Rollout`)
}
