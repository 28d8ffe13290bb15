import Foundation
import Synchronization
import TarmacCore
import TarmacEngine
import Testing

@testable import TarmacDeploy

/// A group's rules (GroupDeployment, RolloutRunner) on recording hosts: every host is prepared
/// first, hosts run in the rollout's order, and the group stops once it can no longer succeed.
@Suite struct GroupRulesTests {
    typealias F = HostFixture

    func deploy(_ hosts: [RecordingTransport], config: DeploymentConfig, health: [RolloutHost.Health]? = nil)
        async throws -> GroupResult
    {
        let health = health ?? Array(repeating: .unknown, count: hosts.count)
        let rollout = try Rollout.plan(config: config, hosts: health.map { RolloutHost(health: $0) }).get()
        let members = hosts.map { GroupDeployment.Member(name: $0.hostName, address: $0.hostName, transport: $0) }
        return await GroupDeployment(members: members, rollout: rollout, now: { Date(timeIntervalSince1970: 0) })
            .run(F.request()) { _ in }
    }

    static func host(_ name: String, failing event: String? = nil) -> RecordingTransport {
        var answers: [RecordingTransport.Program: [RecordingTransport.Answer]] = [
            .probe: [F.probe(lastSuccessful: false)]
        ]
        if let event { answers[.hook(event)] = [F.hook(exit: 2)] }
        return RecordingTransport(hostName: name, answers: answers)
    }

    @Test func everyHostIsPreparedAndThenDeployed() async throws {
        let hosts = ["h1", "h2", "h3"].map { Self.host($0) }
        let result = try await deploy(hosts, config: .oneAtATime)
        #expect(result.verdict == .succeeded)
        #expect(result.hosts.allSatisfy { $0.outcome == .succeeded })
        for host in hosts {
            #expect(Array(host.sent.prefix(3)) == [.lock, .probe, .download] && host.sent.last == .unlock)
            #expect(host.sent.filter { $0 == .download }.count == 1)
        }
    }

    @Test func theGroupStopsWhenMinimumHealthyCanNoLongerBeMet() async throws {
        let hosts = [Self.host("h1", failing: "AfterInstall"), Self.host("h2"), Self.host("h3")]
        let result = try await deploy(hosts, config: .oneAtATime)
        #expect(
            result.verdict
                == .failed(.tooManyFailed(failed: 1, healthyLeft: 2, minimumHealthy: 2, notStarted: 2)))
        #expect(result.hosts.map(\.outcome) == [.failed, .skipped, .skipped])
        for host in hosts.dropFirst() {
            // Prepared (locked, probed, bundle sent), never started, lock released.
            #expect(host.sent == [.lock, .probe, .download, .unlock])
        }
        #expect(result.hosts[1].statuses.allSatisfy { $0 == "DownloadBundle Succeeded" || $0.hasSuffix("Skipped") })
    }

    @Test func anUnhealthyHostGoesFirst() async throws {
        let hosts = ["h1", "h2", "h3"].map { Self.host($0) }
        let health: [RolloutHost.Health] = [.current, .unhealthy, .unknown]
        let rollout = try Rollout.plan(config: .oneAtATime, hosts: health.map { RolloutHost(health: $0) }).get()
        let members = hosts.map { GroupDeployment.Member(name: $0.hostName, address: $0.hostName, transport: $0) }
        let started = Mutex<[Int]>([])
        let result = await GroupDeployment(members: members, rollout: rollout).run(F.request()) { progress in
            if case .started(let index) = progress { started.withLock { $0.append(index) } }
        }
        #expect(result.verdict == .succeeded)
        #expect(started.withLock { $0 } == [1, 2, 0])
    }

    @Test func aHostThatCannotBeLockedFailsItsTurnWithoutRunningAnything() async throws {
        let busy = RecordingTransport(hostName: "h1", answers: [.lock: [F.lockHeld(by: "d-0", alive: true)]])
        let hosts = [busy, Self.host("h2"), Self.host("h3"), Self.host("h4")]
        let result = try await deploy(hosts, config: .allAtOnce)
        #expect(result.hosts.map(\.outcome) == [.refused, .succeeded, .succeeded, .succeeded])
        #expect(busy.sent == [.lock] && result.verdict == .succeeded)
    }
}
