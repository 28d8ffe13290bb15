import Foundation
import TarmacCore
import TarmacEngine
import Testing

@testable import TarmacDeploy

/// A health check failing right after the host's last event (issue 14), on a recording
/// transport: the host fails, and the receipt it leaves says so as the history does.
@Suite struct HostRulesHealthCheckTests {
    typealias F = HostFixture

    /// One host's turn in a gated rollout with a local check running `command`.
    func turn(_ command: String, on host: RecordingTransport) async -> HostResult {
        let deployment = HostDeployment(transport: host, now: { Date(timeIntervalSince1970: 0) })
        var session = deployment.session(F.request()) { _ in }
        let ready = await session.prepare(prestage: false)
        let checker = HealthChecker(
            checks: [HealthCheck(name: "app", command: command, runOn: .local, timeout: 5)],
            targets: [.init(name: "h1", address: "192.0.2.1", transport: host)], deploymentID: "d-2")
        return await HealthGate.turn(session, ready: ready, index: 0, checker: checker) { _ in }
    }

    @Test func aFailedCheckFailsTheHostAndItsReceiptEndsWithTheCheck() async throws {
        let host = RecordingTransport(answers: [.probe: [F.probe()], .readFile: [F.earlierAppSpec()]])
        let result = await turn("echo down: 503; exit 3", on: host)
        #expect(result.outcome == .failed)
        #expect(result.problems == [.healthCheck(check: "app", output: "exited 3: down: 503")])
        // Every event succeeded; nothing runs after the last one but the receipt and the unlock.
        #expect(result.statuses.allSatisfy { $0.hasSuffix("Succeeded") })
        #expect(
            Array(host.sent.suffix(4)) == [.hook("ApplicationStart"), .receiptGather, .receiptWrite, .unlock])
        let receipt = try #require(try? result.receipt?.get())
        #expect(receipt.result == "Failed")
        #expect(receipt.events.map(\.name) == result.events.map(\.name) + ["HealthCheck"])
        #expect(receipt.events.last?.status == "Failed" && receipt.events.last?.message == "app: exited 3: down: 503")
    }

    @Test func aPassingCheckLeavesTheReceiptAsWithoutChecks() async throws {
        let host = RecordingTransport(answers: [.probe: [F.probe()], .readFile: [F.earlierAppSpec()]])
        let result = await turn("true", on: host)
        #expect(result.outcome == .succeeded && result.problems.isEmpty)
        let receipt = try #require(try? result.receipt?.get())
        #expect(receipt.result == "Succeeded")
        #expect(receipt.events.map(\.name) == result.events.map(\.name))
    }
}
