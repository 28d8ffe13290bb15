import Foundation
import Synchronization
import TarmacCore
import TarmacHost

/// Deploys one bundle to every host of a group (spec §6): every host is prepared first in
/// parallel (lock, probe, plan, the bundle pre-staged), then the lifecycle runs on hosts in
/// the order and concurrency the `Rollout` allows. The runner only carries out the state
/// machine's actions.
public struct GroupDeployment: Sendable {
    /// One host of the group.
    public struct Member: Sendable {
        public var name: String
        public var address: String
        public var transport: any HostTransport

        public init(name: String, address: String, transport: any HostTransport) {
            self.name = name
            self.address = address
            self.transport = transport
        }
    }

    public let members: [Member]
    public let rollout: Rollout
    /// How many hosts are prepared (connected, probed, sent the bundle) at once.
    public let prepareConcurrency: Int
    let now: @Sendable () -> Date
    /// True once the user asked to stop (Ctrl-C).
    let stopRequested: @Sendable () -> Bool
    let traffic: HostDeployment.TrafficControl?
    /// Zones, bakes and health checks (issue 14); nil when the group has none.
    let gate: HealthGate?

    public init(
        members: [Member], rollout: Rollout, prepareConcurrency: Int = 16,
        now: @escaping @Sendable () -> Date = { Date() }, stopRequested: @escaping @Sendable () -> Bool = { false },
        traffic: HostDeployment.TrafficControl? = nil, gate: HealthGate? = nil
    ) {
        self.members = members
        self.rollout = rollout
        self.prepareConcurrency = max(1, prepareConcurrency)
        self.now = now
        self.stopRequested = stopRequested
        self.traffic = traffic
        self.gate = gate
    }

    /// Runs the deployment: every host gets the same request (one bundle, one deployment id).
    public func run(
        _ request: DeploymentRequest, progress: @escaping @Sendable (GroupProgress) -> Void
    ) async -> GroupResult {
        let halt = Halt()
        let userStop = stopRequested
        let sessions = members.enumerated().map { index, member in
            HostDeployment(
                transport: member.transport, now: now, stopRequested: { halt.isSet || userStop() }, traffic: traffic
            ).session(request) { progress(.host(index, $0)) }
        }
        let prepared = await prepare(sessions, progress: progress)
        if let gate, let gated = gate.rollout {
            var runner = GatedRolloutRunner(
                rollout: gated, gate: gate, prepared: prepared, halt: halt, userStop: userStop)
            let verdict = Self.verdict(await runner.run(progress: progress), names: members.map(\.name))
            let results = await finishUnstarted(runner.sessions, results: runner.results, progress: progress)
            return GroupResult(verdict: verdict, hosts: results)
        }
        var runner = RolloutRunner(
            rollout: rollout, prepared: prepared, halt: halt, userStop: userStop, checker: gate?.checker)
        let verdict = await runner.run(progress: progress)
        let results = await finishUnstarted(runner.sessions, results: runner.results, progress: progress)
        return GroupResult(verdict: verdict, hosts: results)
    }

    /// Prepares every host, a bounded number at a time.
    private func prepare(_ sessions: [HostSession], progress: @escaping @Sendable (GroupProgress) -> Void) async
        -> [PreparedHost]
    {
        var prepared = sessions.map { PreparedHost(session: $0, ready: false) }
        await withTaskGroup(of: (Int, PreparedHost).self) { group in
            var next = 0
            func add() {
                guard next < sessions.count else { return }
                let index = next
                var session = sessions[index]
                next += 1
                group.addTask {
                    progress(.preparing(index))
                    let ready = await session.prepare(prestage: true)
                    progress(.prepared(index, ready: ready))
                    return (index, PreparedHost(session: session, ready: ready))
                }
            }
            for _ in 0..<prepareConcurrency { add() }
            for await (index, host) in group {
                prepared[index] = host
                if !stopRequested() { add() }
            }
        }
        return prepared
    }

    /// Ends the hosts the rollout never started: their locks are released, their events Skipped.
    private func finishUnstarted(
        _ sessions: [HostSession?], results: [HostResult?], progress: @escaping @Sendable (GroupProgress) -> Void
    ) async -> [HostResult] {
        var final = results
        await withTaskGroup(of: (Int, HostResult).self) { group in
            for (index, session) in sessions.enumerated() where results[index] == nil {
                guard var session else { continue }
                group.addTask { (index, await session.end(.skipped)) }
            }
            for await (index, result) in group {
                final[index] = result
                progress(.finished(index, result))
            }
        }
        return final.map { $0! }
    }
}

/// A host after the prepare phase.
struct PreparedHost: Sendable {
    var session: HostSession
    var ready: Bool
}

/// Set once the rollout halted: hosts in flight stop after their current event.
final class Halt: Sendable {
    private let flag = Mutex(false)

    var isSet: Bool { flag.withLock { $0 } }

    func set() { flag.withLock { $0 = true } }
}

/// What the group runner reports while it works.
public enum GroupProgress: Sendable {
    case preparing(Int)
    case prepared(Int, ready: Bool)
    case started(Int)
    case host(Int, DeploymentProgress)
    case finished(Int, HostResult)
    /// The rollout can no longer succeed (or the user stopped it): why.
    case halted(Rollout.Reason)
    /// Bakes and health checks (issue 14).
    case health(HealthProgress)
}

/// How a group deployment ended.
public struct GroupResult: Sendable {
    public var verdict: Rollout.Verdict
    /// One result per host, in inventory order.
    public var hosts: [HostResult]
}
