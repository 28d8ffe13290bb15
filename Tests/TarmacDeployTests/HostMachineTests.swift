import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost
import Testing

@testable import TarmacDeploy

/// The machine alone, without a runner: it asks for one program at a time and decides from
/// the answers it is handed.
@Suite struct HostMachineTests {
    typealias F = HostFixture
    static let now = Date(timeIntervalSince1970: 0)

    func program(_ actions: [HostAction]) -> RecordingTransport.Program? {
        guard case .run(let program) = actions.last else { return nil }
        return RecordingTransport.Program(program.script)
    }

    func answer(_ text: String) -> HostInput {
        .program(
            .success(
                ProgramOutcome(
                    lines: text.split(separator: "\n").map { ProgramLine.parse($0) },
                    status: text.hasSuffix("@done 0") ? 0 : 1, stderr: "")))
    }

    /// One program locks and probes; the plan follows from its answer.
    @Test func prepareLocksAndProbesInOneProgramThenPlans() {
        var machine = HostMachine(request: F.request(), hostName: "h1", hasTraffic: false)
        let asked = machine.prepare(prestage: false)
        #expect(program(asked) == .lock)
        guard case .run(let lockProgram) = asked.last else { return }
        #expect(lockProgram.script.lines.contains { $0.hasPrefix("t_stats") }, "the lock program probes")
        let done = machine.received(answer("@step lock ok\n@done 0"), at: Self.now)
        guard case .done(.prepared(true)) = done.last else {
            Issue.record("prepare did not end ready: \(done)")
            return
        }
        #expect(machine.locked && machine.probed)
    }

    /// Locked, but the probe in the same program failed: the lock is the deployment's (to
    /// release), and the host is not ready.
    @Test func aProbeThatFailsAfterTheLockKeepsTheLockToRelease() {
        var machine = HostMachine(request: F.request(), hostName: "h1", hasTraffic: false)
        _ = machine.prepare(prestage: false)
        let done = machine.received(
            answer("@step lock ok\n@step root failed\n@note the deployment root is unsafe\n@done 1"), at: Self.now)
        guard case .done(.prepared(false)) = done.last else {
            Issue.record("prepare went on after a failed probe: \(done)")
            return
        }
        #expect(machine.locked && !machine.probed)
        #expect(program(machine.end(.failed)) == .unlock)
    }

    @Test func aLostConnectionWhileLockingRefusesTheHost() {
        var machine = HostMachine(request: F.request(), hostName: "h1", hasTraffic: false)
        _ = machine.prepare(prestage: false)
        let lost = TransportError(host: "h1", message: "the connection was lost")
        let done = machine.received(.program(.failure(lost)), at: Self.now)
        guard case .done(.prepared(false)) = done.last else {
            Issue.record("prepare went on after a lost connection: \(done)")
            return
        }
        #expect(machine.problems == [.unreachable("h1: the connection was lost")] && !machine.locked)
    }

    @Test func aTrafficEventIsAskedOfTheGroupNotTheHost() {
        let events: [DeploymentEvent] = ["DownloadBundle", "Install", "BlockTraffic"]
        var machine = HostMachine(
            request: F.request(events: events, spec: F.spec("version: 0.0\nos: linux\n")), hostName: "h1",
            hasTraffic: true)
        _ = machine.prepare(prestage: false)
        _ = machine.received(answer("@step lock ok\n@done 0"), at: Self.now)
        #expect(program(machine.execute(at: Self.now)) == .download)
        #expect(program(machine.received(answer("@done 0"), at: Self.now)) == .install)
        let traffic = machine.received(answer("@done 0"), at: Self.now)
        guard case .traffic(.blockTraffic) = traffic.last else {
            Issue.record("BlockTraffic was not handed to the group: \(traffic)")
            return
        }
        let done = machine.received(.traffic(EventResult(name: "BlockTraffic", status: .succeeded)), at: Self.now)
        guard case .done(.executed(.succeeded)) = done.last else {
            Issue.record("the host did not succeed: \(done)")
            return
        }
    }
}
