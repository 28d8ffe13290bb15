import Foundation
import TarmacCore

/// What a health-gated rollout reports while it works (issue 14); hosts are inventory indexes.
public enum HealthProgress: Sendable, Equatable {
    /// A bake began: its zone (nil without zones) and how long it lasts.
    case bakeStarted(zone: String?, number: Int, seconds: Int, startedAt: Date, endsAt: Date)
    /// A check round finished over these hosts; the failures, if any.
    case round(number: Int, hosts: [Int], failures: [GatedRollout.CheckFailure], at: Date, bakeEndsAt: Date?)
    /// The bake ended: passed, or cut short by a failing round or a stop.
    case bakeEnded(zone: String?, number: Int, passed: Bool, at: Date)
    /// A second went by in a bake: how long is left (for the live board's countdown).
    case countdown(secondsLeft: Int)
    /// A host's checks failed right after its ValidateService: the host fails.
    case hostCheckFailed(Int, GatedRollout.CheckFailure)
}

/// The clock a health-gated rollout runs on: milliseconds and a wait until a time. Injected
/// so tests can run it on their own time.
public struct RolloutClock: Sendable {
    public var now: @Sendable () -> Int64
    public var sleep: @Sendable (_ until: Int64) async -> Void
    /// The wall-clock time of a `now` value, for reports.
    public var date: @Sendable (Int64) -> Date

    /// Creates a clock.
    public init(
        now: @escaping @Sendable () -> Int64, sleep: @escaping @Sendable (Int64) async -> Void,
        date: @escaping @Sendable (Int64) -> Date
    ) {
        self.now = now
        self.sleep = sleep
        self.date = date
    }

    /// The system's clock: milliseconds since 1970; sleeping ends early when the task is cancelled.
    public static let system = RolloutClock(
        now: { Int64(Date().timeIntervalSince1970 * 1000) },
        sleep: { until in
            let delay = until - Int64(Date().timeIntervalSince1970 * 1000)
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
        },
        date: { Date(timeIntervalSince1970: Double($0) / 1000) })
}

/// The health gate of a group deployment: the gated rollout (nil when the configuration has
/// no zones or bakes) and the checks (nil when the group has none).
public struct HealthGate: Sendable {
    public var rollout: GatedRollout?
    public var checker: HealthChecker?
    public var clock: RolloutClock

    /// Creates a gate.
    public init(rollout: GatedRollout?, checker: HealthChecker?, clock: RolloutClock = .system) {
        self.rollout = rollout
        self.checker = checker
        self.clock = clock
    }

    /// A host's turn: its events, then (when they succeeded) its checks; a failing check fails it.
    /// Its receipt then says Failed and ends with the failed `HealthCheck` event, as the history
    /// does. `_last_successful_install` keeps naming this revision, as after a failed
    /// ValidateService (spec §2.2: it names the revision whose files are on the host, so the next
    /// ApplicationStop stops what this revision started).
    static func turn(
        _ session: HostSession, ready: Bool, index: Int, checker: HealthChecker?,
        progress: @escaping @Sendable (GroupProgress) -> Void
    ) async -> HostResult {
        var session = session
        var outcome: HostResult.Outcome =
            ready ? await session.execute() : (session.prestageFailed ? .failed : .refused)
        var failure: GatedRollout.CheckFailure?
        if outcome == .succeeded, let checker {
            failure = await checker.check(host: index)
            if let failure {
                progress(.health(.hostCheckFailed(index, failure)))
                outcome = .failed
            }
        }
        let checked = failure.map { [$0.event(at: session.runner.deployment.now())] } ?? []
        var result = await session.end(outcome, checked: checked)
        if let failure {
            result.problems.append(.healthCheck(check: failure.check, output: failure.output))
        }
        return result
    }
}

extension GroupDeployment {
    /// A gated rollout's verdict as the group's: a failing check names the check, host and output.
    static func verdict(_ verdict: GatedRollout.Verdict, names: [String]) -> Rollout.Verdict {
        switch verdict {
        case .succeeded: .succeeded
        case .failed(let reason): .failed(reason)
        case .stopped: .stopped
        case .unhealthy(let failure):
            .failed(.healthCheckFailed(check: failure.check, host: names[failure.host], output: failure.output))
        }
    }
}

extension GatedRollout.CheckFailure {
    /// The failure as a failed `HealthCheck` event of its host, for the history and the receipt.
    func event(at: Date) -> EventResult {
        EventResult(name: "HealthCheck", status: .failed, startedAt: at, finishedAt: at, message: "\(check): \(output)")
    }
}
