import Testing

@testable import TarmacCore

/// The scheduling arithmetic of spec §6.2: batch sizes, the stop rule, the success rule,
/// host order by health, and the start check.
@Suite struct RolloutTests {
    /// What a simulated deployment did: the hosts each step started, how it ended, who was skipped.
    struct Trace: Equatable {
        var starts: [[Int]]
        var verdict: Rollout.Verdict
        var skipped: [Int]
        var stopsInFlight = 0
    }

    /// Runs a rollout where hosts finish in the order they started; `failing` hosts fail.
    func simulate(
        _ config: DeploymentConfig, hosts n: Int, failing: Set<Int> = [], health: [RolloutHost.Health]? = nil,
        stopAfter: Int? = nil
    ) throws -> Trace {
        let hosts = (health ?? Array(repeating: .unknown, count: n)).map { RolloutHost(health: $0) }
        var rollout = try Rollout.plan(config: config, hosts: hosts).get()
        var trace = Trace(starts: [], verdict: .succeeded, skipped: [])
        var running: [Int] = []
        var finished = 0
        func apply(_ actions: [Rollout.Action]) -> Rollout.Verdict? {
            let started = actions.compactMap { if case .start(let i) = $0 { i } else { nil } }
            if !started.isEmpty { trace.starts.append(started) }
            running += started
            trace.stopsInFlight += actions.filter { if case .stopInFlight = $0 { true } else { false } }.count
            for case .finish(let verdict) in actions { return verdict }
            return nil
        }
        var verdict = apply(rollout.begin())
        while verdict == nil {
            let host = try #require(running.first, "no host in flight and no verdict")
            running.removeFirst()
            finished += 1
            verdict = apply(rollout.hostFinished(host, succeeded: !failing.contains(host)))
            if verdict == nil, finished == stopAfter { verdict = apply(rollout.requestStop()) }
        }
        trace.verdict = try #require(verdict)
        trace.skipped = rollout.notStarted
        return trace
    }

    func isFailure(_ verdict: Rollout.Verdict) -> Bool {
        if case .failed = verdict { true } else { false }
    }

    @Test func allAtOnceStartsEveryHostAndNeedsOneSuccess() throws {
        let ok = try simulate(.allAtOnce, hosts: 9, failing: Set(0..<8))
        #expect(ok.starts == [Array(0..<9)] && ok.verdict == .succeeded)
        let bad = try simulate(.allAtOnce, hosts: 9, failing: Set(0..<9))
        #expect(bad.verdict == .failed(.tooFewSucceeded(succeeded: 0, hosts: 9, needed: 1)))
        #expect(
            "\(Rollout.Reason.tooFewSucceeded(succeeded: 0, hosts: 9, needed: 1))"
                == "0 of 9 hosts succeeded; at least 1 had to")
    }

    @Test func halfAtATimeRunsFourOfNineAndNeedsFive() throws {
        let clean = try simulate(.halfAtATime, hosts: 9)
        #expect(clean.starts == [[0, 1, 2, 3], [4], [5], [6], [7], [8]])
        #expect(clean.verdict == .succeeded)
        // The first batch fails whole: 5 healthy left = M, hosts remain → stop.
        let first = try simulate(.halfAtATime, hosts: 9, failing: [0, 1, 2, 3])
        #expect(isFailure(first.verdict) && first.skipped == [4, 5, 6, 7, 8])
        // Failures in the middle, four of them: the fifth success is still reachable until
        // the fourth failure leaves 5 healthy with hosts unstarted.
        let middle = try simulate(.halfAtATime, hosts: 9, failing: [4, 5, 6, 7])
        #expect(isFailure(middle.verdict) && middle.skipped == [8])
        // The last four fail: 5 succeeded, nothing left to start → success.
        let last = try simulate(.halfAtATime, hosts: 9, failing: [5, 6, 7, 8])
        #expect(last.verdict == .succeeded && last.skipped.isEmpty)
    }

    @Test func oneAtATimeFailsOnAnyHostButTheLast() throws {
        let first = try simulate(.oneAtATime, hosts: 4, failing: [0])
        #expect(first.starts == [[0]] && isFailure(first.verdict) && first.skipped == [1, 2, 3])
        let middle = try simulate(.oneAtATime, hosts: 4, failing: [2])
        #expect(middle.starts == [[0], [1], [2]] && isFailure(middle.verdict) && middle.skipped == [3])
        let last = try simulate(.oneAtATime, hosts: 4, failing: [3])
        #expect(last.starts == [[0], [1], [2], [3]] && last.verdict == .succeeded)
        #expect(
            try simulate(.oneAtATime, hosts: 1, failing: [0]).verdict
                == .failed(.tooFewSucceeded(succeeded: 0, hosts: 1, needed: 1)))
        #expect(try simulate(.oneAtATime, hosts: 1).verdict == .succeeded)
    }

    @Test(arguments: [
        (DeploymentConfig(name: "Six", rule: .hostCount(6)), 9, 3),
        (DeploymentConfig(name: "Forty", rule: .fleetPercent(40)), 9, 5),
        (DeploymentConfig(name: "Nine", rule: .hostCount(9)), 10, 1),
        (DeploymentConfig(name: "Eight", rule: .hostCount(8)), 10, 2),
        (DeploymentConfig(name: "Zero", rule: .hostCount(0)), 10, 10),
    ])
    func customConfigurationsSetTheFirstBatch(config: DeploymentConfig, hosts: Int, batch: Int) throws {
        let trace = try simulate(config, hosts: hosts)
        #expect(trace.starts.first?.count == batch)
        #expect(trace.verdict == .succeeded)
    }

    @Test func theLastHostBeingTheSecondFailureStillSucceeds() throws {
        // M = 8 of 10: two at a time; hosts 3 and 9 fail; 8 successes.
        let trace = try simulate(DeploymentConfig(name: "Eight", rule: .hostCount(8)), hosts: 10, failing: [3, 9])
        #expect(trace.verdict == .succeeded)
    }

    @Test func theStartCheckPrintsTheArithmetic() {
        let ninetyFive = DeploymentConfig(name: "NinetyFive", rule: .fleetPercent(95))
        let hosts = Array(repeating: RolloutHost(), count: 10)
        guard case .failure(let failure) = Rollout.plan(config: ninetyFive, hosts: hosts) else {
            Issue.record("95% of 10 hosts must not start")
            return
        }
        #expect(
            failure.description
                == "NinetyFive needs 10 of 10 hosts to stay healthy (minimum healthy hosts: ceil(95% × 10 hosts) = 10), "
                + "so no host may be taken offline; the deployment cannot start. Choose another configuration or add hosts."
        )
        guard case .failure(let half) = Rollout.plan(config: .halfAtATime, hosts: [RolloutHost()]) else {
            Issue.record("HalfAtATime on one host must not start")
            return
        }
        #expect(half.minimumHealthy == 1 && half.hostCount == 1)
        guard case .failure(let empty) = Rollout.plan(config: .allAtOnce, hosts: []) else {
            Issue.record("an empty group must not start")
            return
        }
        #expect(empty.description == "the group has no hosts")
    }

    @Test func hostsGoInHealthOrderAndUnhealthyOnesUseNoBudget() throws {
        let health: [RolloutHost.Health] = [.current, .outdated, .unhealthy, .unknown, .unhealthy]
        let trace = try simulate(.oneAtATime, hosts: 5, health: health)
        #expect(trace.starts.flatMap { $0 } == [2, 4, 3, 1, 0])
        #expect(trace.verdict == .succeeded)
        // M = 2 of 4: the unhealthy host goes first beside one healthy host (it uses no budget),
        // and its failing again leaves the three healthy ones enough to go on.
        let again = try simulate(
            .halfAtATime, hosts: 4, failing: [0], health: [.unhealthy, .unknown, .unknown, .unknown])
        #expect(again.starts == [[0, 1], [2], [3]])
        #expect(again.verdict == .succeeded)
    }

    @Test func aStopRequestStartsNothingMore() throws {
        let trace = try simulate(.oneAtATime, hosts: 4, stopAfter: 1)
        #expect(trace.starts == [[0]] || trace.starts == [[0], [1]])
        #expect(trace.verdict == .stopped && !trace.skipped.isEmpty)
    }

    @Test func theBudgetMeansAHaltFindsNoHealthyHostInFlight() throws {
        // HOST_COUNT 2 of 5 → three at a time; each failure shrinks the budget with the healthy
        // count, so the third failure halts with nothing left running and two hosts skipped.
        let two = DeploymentConfig(name: "Two", rule: .hostCount(2))
        let trace = try simulate(two, hosts: 5, failing: [0, 1, 2])
        #expect(trace.starts == [[0, 1, 2]])
        let reason = Rollout.Reason.tooManyFailed(failed: 3, healthyLeft: 2, minimumHealthy: 2, notStarted: 2)
        #expect(trace.verdict == .failed(reason))
        #expect(
            reason.description
                == "3 hosts failed: 2 healthy left, and the configuration needs 2 to stay healthy; 2 hosts were not started"
        )
        #expect(
            Rollout.Reason.tooManyFailed(failed: 1, healthyLeft: 1, minimumHealthy: 1, notStarted: 1).description
                == "1 host failed: 1 healthy left, and the configuration needs 1 to stay healthy; 1 host was not started"
        )
        #expect(trace.stopsInFlight == 0 && trace.skipped == [3, 4])
    }
}
