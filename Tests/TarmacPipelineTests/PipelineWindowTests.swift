import Foundation
import Synchronization
import TarmacCore
import TarmacDeploy
import TarmacHistory
import TarmacPipeline
import Testing

/// A deploy stage and its group's window, with the runner's clock stepped by the test: the
/// stage waits, says when the window opens, and deploys once it is open; a stop request ends
/// the wait. Asserted from the runner's events and the recorded stage, with no host.
@Suite("pipeline runner: deployment windows")
struct PipelineWindowTests {
    static let config = RunnerFixture.config(build: "true").replacingOccurrences(
        of: "      - { name: web1, address: 192.0.2.1 }\n",
        with: "      - { name: web1, address: 192.0.2.1 }\n"
            + "    window: { cron: \"0-29 9 * * *\", timezone: Europe/Berlin }\n")

    /// 2026-12-07 07:59:30 UTC, 08:59:30 in Berlin: half a minute before the window opens.
    static let before = Date(timeIntervalSince1970: 1_796_630_370)
    static let opening = "2026-12-07 09:00 Europe/Berlin (2026-12-07 08:00 UTC)"

    @Test func theStageWaitsUntilTheWindowOpensThenDeploys() async throws {
        let run = try RunnerFixture(tarmacYML: Self.config)
        defer { run.remove() }
        let reads = Mutex(0)
        var context = run.context
        // Closed for two looks, then 35 s later: open.
        context.clock = WallClock {
            reads.withLock {
                $0 += 1
                return $0 <= 2 ? Self.before : Self.before.addingTimeInterval(35)
            }
        }
        context.services.connect = { _, _ in throw DeploymentRefusal.hosts("no hosts in this test") }
        let events = Mutex<[String]>([])
        let outer = context.events
        context.events = { event in
            switch event {
            case .waitingForWindow(let group, let window, let opensAt):
                events.withLock { $0.append("waiting \(group) \(window.describe(opensAt))") }
            case .windowOpened(let group, _, _): events.withLock { $0.append("opened \(group)") }
            case .deploymentRefused: events.withLock { $0.append("deploying") }
            default: break
            }
            outer(event)
        }
        #expect(try await PipelineRunner(context).run() == .ended(.failed))
        #expect(events.withLock { $0 } == ["waiting staging \(Self.opening)", "opened staging", "deploying"])
        #expect(reads.withLock { $0 } == 3, "announced once, looked again, then saw it open")
    }

    @Test func aStopRequestEndsTheWaitAndTheExecution() async throws {
        let run = try RunnerFixture(tarmacYML: Self.config)
        defer { run.remove() }
        let waiting = Mutex(false)
        let store = run.store
        let id = run.id
        let recorded = Mutex<String?>(nil)
        var context = run.context
        context.clock = WallClock.fixed(Self.before)
        context.services.stopRequested = { waiting.withLock { $0 } }
        let outer = context.events
        context.events = { event in
            if case .waitingForWindow = event {
                recorded.withLock { $0 = try? store.execution(id)?.currentStage?.message }
                waiting.withLock { $0 = true }
            }
            outer(event)
        }
        #expect(try await PipelineRunner(context).run() == .ended(.stopped))
        #expect(
            recorded.withLock { $0 }
                == "waiting for window \"0-29 9 * * *\" Europe/Berlin, opens at \(Self.opening)")
        let detail = try #require(try store.execution(id))
        #expect(detail.record.state == .stopped)
        let stage = try #require(detail.stages.last)
        #expect(stage.status == .stopped)
        #expect(stage.message == "stopped on request while waiting for window \"0-29 9 * * *\" Europe/Berlin")
    }
}
