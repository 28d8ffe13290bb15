import Testing

@testable import TarmacCore

/// Hosts unhealthy at the start: counted as the plain Rollout counts them (spec §6.2).
extension GatedRolloutTests {
    @Test func anUnhealthyHostLowersItsZonesHealthyCount() throws {
        // Zone a: host 0 healthy, hosts 1 and 2 unhealthy at the start (they go first); two of
        // its three must stay healthy → batches of one. Only host 0 counts healthy in zone a
        // (1, not 3). Host 1 fails: even if host 2 then succeeded, zone a would have 2 healthy
        // and host 0 could never go offline, so the rollout stops before host 2 starts.
        let config = DeploymentConfig(
            name: "Z", rule: .hostCount(0),
            zonal: ZonalConfig(monitorDuration: 0, minimumHealthyPerZone: .hostCount(2)))
        let zones = ["a", "a", "a", "b", "b", "b"]
        let classes: [RolloutHost.Health] = [.outdated, .unhealthy, .unhealthy, .outdated, .outdated, .outdated]
        let result = try run(config, zones: zones, health: nil, classes: classes, Script(failingHosts: [1]))
        #expect(result.trace == ["t=0 start 1"])
        #expect(
            result.verdict
                == .failed(
                    .tooManyFailedInZone(
                        failed: 1, healthyLeft: 4, zone: "a", zoneHealthy: 1, zoneMinimum: 2, minimumHealthy: 0,
                        notStarted: 5)))
        #expect(result.skipped == [2, 0, 3, 4, 5])
        // When host 1 succeeds it counts healthy: host 2 goes, then host 0 with zone a at 3.
        let healed = try run(config, zones: zones, health: nil, classes: classes)
        #expect(
            healed.trace.filter { $0.contains("start") }.prefix(3) == ["t=0 start 1", "t=0 start 2", "t=0 start 0"])
        #expect(healed.verdict == .succeeded)
    }

    @Test(
        arguments: [
            // health classes, the refusal (nil: it starts)
            ([RolloutHost.Health.outdated, .outdated, .outdated, .outdated], nil),
            // Zone b's unhealthy hosts leave 2 healthy: zone a may take none offline, and zone b only comes after it.
            (
                [.outdated, .outdated, .unhealthy, .unhealthy],
                "Z cannot deploy zone \"a\": 2 of the group's 4 hosts are unhealthy at the start (the last deployment "
                    + "to them failed), so taking a batch of 2 offline would leave 0 healthy where the group needs 2, "
                    + "even if every host before it succeeded; the deployment cannot start. Deploy to the unhealthy "
                    + "hosts first, or lower the minimum."
            ),
            (
                [.outdated, .outdated, .outdated, .unhealthy],
                "Z cannot deploy zone \"a\": 1 of the group's 4 hosts is unhealthy at the start (the last deployment "
                    + "to it failed), so taking a batch of 2 offline would leave 1 healthy where the group needs 2"
            ),
            // In zone a they go first and cost nothing; if they succeed, every later batch fits.
            ([.unhealthy, .unhealthy, .outdated, .outdated], nil),
        ] as [([RolloutHost.Health], String?)])
    func startCheckCountsHostsUnhealthyAtTheStart(classes: [RolloutHost.Health], refusal: String?) {
        let config = DeploymentConfig(
            name: "Z", rule: .hostCount(2), zonal: ZonalConfig(monitorDuration: 1, minimumHealthyPerZone: .hostCount(0))
        )
        let hosts = classes.map { RolloutHost(health: $0) }
        switch GatedRollout.plan(config: config, hosts: hosts, zones: ["a", "a", "b", "b"], health: nil) {
        case .success: #expect(refusal == nil)
        case .failure(let failure):
            #expect(refusal.map { failure.description.hasPrefix($0) } == true, "\(failure)")
        }
    }

    /// A plain `Rollout` driven in waves: every host started is reported (in order) before the
    /// next wave starts, as a gated batch is.
    func runPlain(_ config: DeploymentConfig, classes: [RolloutHost.Health], failing: Set<Int>) throws
        -> (started: [Int], verdict: Rollout.Verdict, skipped: [Int])
    {
        var rollout = try Rollout.plan(config: config, hosts: classes.map { RolloutHost(health: $0) }).get()
        var pending = rollout.begin()
        var started: [Int] = []
        while true {
            var wave: [Int] = []
            var next: [Rollout.Action] = []
            for action in pending {
                switch action {
                case .start(let host): wave.append(host)
                case .stopInFlight: continue
                case .finish(let verdict): return (started, verdict, rollout.notStarted)
                }
            }
            started += wave
            for host in wave { next += rollout.hostFinished(host, succeeded: !failing.contains(host)) }
            pending = next
        }
    }

    @Test(
        arguments: [
            // rule, health classes, failing hosts
            (DeploymentConfig.Rule.hostCount(2), [RolloutHost.Health.unhealthy, .outdated, .outdated, .outdated], []),
            (.hostCount(2), [.unhealthy, .unhealthy, .outdated, .outdated], []),
            (.hostCount(2), [.unhealthy, .unhealthy, .outdated, .outdated], [0, 1]),
            (.fleetPercent(75), [.unhealthy, .outdated, .outdated, .current], []),
            (.fleetPercent(75), [.unhealthy, .outdated, .outdated, .current], [0]),
            (.fleetPercent(75), [.outdated, .outdated, .outdated, .outdated], [0]),
            (.hostCount(1), [.unknown, .unhealthy, .current], [1]),
        ] as [(DeploymentConfig.Rule, [RolloutHost.Health], Set<Int>)])
    func aBakeWithoutZonesCountsHealthLikeThePlainRollout(
        rule: DeploymentConfig.Rule, classes: [RolloutHost.Health], failing: Set<Int>
    ) throws {
        let plain = try runPlain(DeploymentConfig(name: "C", rule: rule), classes: classes, failing: failing)
        let gated = try run(
            DeploymentConfig(name: "C", rule: rule, bake: 1), zones: classes.map { _ in nil }, health: nil,
            classes: classes, Script(failingHosts: failing))
        let started = gated.trace.filter { $0.contains(" start ") }.compactMap {
            $0.split(separator: " ").last.flatMap { Int($0) }
        }
        #expect(started == plain.started)
        #expect(gated.skipped == plain.skipped)
        switch (gated.verdict, plain.verdict) {
        case (.succeeded, .succeeded): break
        case (.failed(let a), .failed(let b)): #expect(a == b)
        default: Issue.record("gated \(gated.verdict), plain \(plain.verdict)")
        }
    }

    @Test func theStartCheckOfABakeRefusesWhatThePlainRolloutRefuses() {
        let config = DeploymentConfig(name: "C", rule: .hostCount(3), bake: 1)
        let hosts = [RolloutHost(health: .unhealthy), RolloutHost(), RolloutHost()]
        guard case .failure(let plain) = Rollout.plan(config: config, hosts: hosts),
            case .failure(.group(let gated)) = GatedRollout.plan(
                config: config, hosts: hosts, zones: [nil, nil, nil], health: nil)
        else {
            Issue.record("both refuse HOST_COUNT 3 of 3 hosts")
            return
        }
        #expect(gated == plain)
    }
}
