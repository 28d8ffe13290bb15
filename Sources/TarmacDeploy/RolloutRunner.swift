import Foundation
import TarmacCore

/// Carries out a `Rollout`'s actions: starts hosts as child tasks, feeds their results back,
/// and watches for a stop request while hosts run.
struct RolloutRunner {
    var rollout: Rollout
    var sessions: [HostSession?]
    var ready: [Bool]
    var results: [HostResult?]
    let halt: Halt
    let userStop: @Sendable () -> Bool
    let checker: HealthChecker?

    init(
        rollout: Rollout, prepared: [PreparedHost], halt: Halt, userStop: @escaping @Sendable () -> Bool,
        checker: HealthChecker? = nil
    ) {
        self.checker = checker
        self.rollout = rollout
        sessions = prepared.map(\.session)
        ready = prepared.map(\.ready)
        results = Array(repeating: nil, count: prepared.count)
        self.halt = halt
        self.userStop = userStop
    }

    /// What a child task reports.
    enum Event: Sendable {
        case finished(Int, HostResult)
        case stopRequested
    }

    mutating func run(progress: @escaping @Sendable (GroupProgress) -> Void) async -> Rollout.Verdict {
        await withTaskGroup(of: Event.self) { group in
            var pending = userStop() ? rollout.requestStop() : rollout.begin()
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
                        // Cancelled once the rollout ends: the sleep's CancellationError only ends the wait.
                        while !stop() && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
                        return .stopRequested
                    }
                }
                guard let event = await group.next() else { return .failed(.noHostReported) }
                switch event {
                case .finished(let index, let result):
                    results[index] = result
                    sessions[index] = nil
                    progress(.finished(index, result))
                    pending = rollout.hostFinished(index, succeeded: result.outcome == .succeeded)
                case .stopRequested:
                    pending = rollout.requestStop()
                }
            }
        }
    }

    /// Starts hosts and passes on halts; returns the verdict once the rollout finishes.
    private mutating func carryOut(
        _ actions: [Rollout.Action], group: inout TaskGroup<Event>,
        progress: @escaping @Sendable (GroupProgress) -> Void
    ) -> Rollout.Verdict? {
        for action in actions {
            switch action {
            case .start(let index):
                guard let session = sessions[index] else { continue }
                let ready = self.ready[index]
                let checker = self.checker
                if ready { progress(.started(index)) }
                group.addTask {
                    // A host that failed its preparation fails its turn without running anything;
                    // one whose events succeeded runs the group's health checks.
                    .finished(
                        index,
                        await HealthGate.turn(session, ready: ready, index: index, checker: checker, progress: progress)
                    )
                }
            case .stopInFlight(let reason):
                halt.set()
                progress(.halted(reason))
            case .finish(let verdict):
                return verdict
            }
        }
        return nil
    }
}
