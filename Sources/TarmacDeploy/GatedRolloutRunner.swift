import Foundation
import TarmacCore

/// Carries out a `GatedRollout`'s actions (issue 14): starts hosts as child tasks (each
/// followed by its checks), runs check rounds and waits during bakes, and watches for a stop
/// request. Time comes from the injected `RolloutClock`.
struct GatedRolloutRunner {
    var rollout: GatedRollout
    var sessions: [HostSession?]
    var ready: [Bool]
    var results: [HostResult?]
    let gate: HealthGate
    let halt: Halt
    let userStop: @Sendable () -> Bool

    init(
        rollout: GatedRollout, gate: HealthGate, prepared: [PreparedHost], halt: Halt,
        userStop: @escaping @Sendable () -> Bool
    ) {
        self.rollout = rollout
        self.gate = gate
        sessions = prepared.map(\.session)
        ready = prepared.map(\.ready)
        results = Array(repeating: nil, count: prepared.count)
        self.halt = halt
        self.userStop = userStop
    }

    /// What a child task reports.
    enum Event: Sendable {
        case finished(Int, HostResult)
        case round(Int, [Int], [GatedRollout.CheckFailure])
        case timeReached
        /// A second of a wait went by; the wait goes on until this time.
        case tick(until: Int64)
        case stopRequested
    }

    mutating func run(progress: @escaping @Sendable (GroupProgress) -> Void) async -> GatedRollout.Verdict {
        let clock = gate.clock
        return await withTaskGroup(of: Event.self) { group in
            var pending = userStop() ? rollout.requestStop() : rollout.begin(now: clock.now())
            var watching = false
            while true {
                if let verdict = carryOut(pending, group: &group, progress: progress) {
                    group.cancelAll()
                    return verdict
                }
                if !watching && !userStop() {
                    watching = true
                    let stop = userStop
                    group.addTask {
                        while !stop() && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
                        return .stopRequested
                    }
                }
                guard let event = await group.next() else { return .failed(.noHostReported) }
                pending = handle(event, now: clock.now(), progress: progress)
            }
        }
    }

    private mutating func handle(
        _ event: Event, now: Int64, progress: @escaping @Sendable (GroupProgress) -> Void
    ) -> [GatedRollout.Action] {
        switch event {
        case .finished(let index, let result):
            results[index] = result
            sessions[index] = nil
            progress(.finished(index, result))
            return rollout.hostFinished(index, succeeded: result.outcome == .succeeded, now: now)
        case .round(let number, let hosts, let failures):
            let endsAt = rollout.currentBake.map { gate.clock.date($0.end) }
            progress(
                .health(
                    .round(
                        number: number, hosts: hosts, failures: failures, at: gate.clock.date(now), bakeEndsAt: endsAt))
            )
            return rollout.roundFinished(failed: failures, now: now)
        case .timeReached:
            return rollout.timeReached(now: now)
        case .tick(let until):
            progress(.health(.countdown(secondsLeft: Int((rollout.currentBake?.end ?? until) - now + 999) / 1000)))
            return [.wait(until: until)]
        case .stopRequested:
            return rollout.requestStop()
        }
    }

    /// Starts hosts, rounds and waits; returns the verdict once the rollout finishes.
    private mutating func carryOut(
        _ actions: [GatedRollout.Action], group: inout TaskGroup<Event>,
        progress: @escaping @Sendable (GroupProgress) -> Void
    ) -> GatedRollout.Verdict? {
        let clock = gate.clock
        for action in actions {
            switch action {
            case .start(let index):
                guard let session = sessions[index] else { continue }
                let ready = self.ready[index]
                let checker = gate.checker
                if ready { progress(.started(index)) }
                group.addTask {
                    .finished(
                        index,
                        await HealthGate.turn(session, ready: ready, index: index, checker: checker, progress: progress)
                    )
                }
            case .stopInFlight(let reason):
                halt.set()
                progress(.halted(reason))
            case .bakeStarted(let bake):
                progress(
                    .health(
                        .bakeStarted(
                            zone: bake.zone, number: bake.number, seconds: Int((bake.end - bake.start) / 1000),
                            startedAt: clock.date(bake.start), endsAt: clock.date(bake.end))))
            case .runChecks(let number, let hosts):
                let checker = gate.checker
                group.addTask {
                    let failures = await checker?.round(hosts: hosts)
                    return .round(number, hosts, failures ?? [])
                }
            case .wait(let until):
                // In steps of at most a second, so the board can count down.
                group.addTask {
                    let step = min(until, clock.now() + 1000)
                    await clock.sleep(step)
                    return step < until ? .tick(until: until) : .timeReached
                }
            case .bakeEnded(let bake, let passed):
                progress(
                    .health(
                        .bakeEnded(zone: bake.zone, number: bake.number, passed: passed, at: clock.date(clock.now()))))
            case .finish(let verdict):
                return verdict
            }
        }
        return nil
    }
}
