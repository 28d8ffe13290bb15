import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// Runs a group's health checks (issue 14): `run_on: host` over the host's transport (as the
/// deployment's user), `run_on: local` on this machine with TARMAC_HOST_NAME,
/// TARMAC_HOST_ADDRESS and DEPLOYMENT_ID set. A check fails by a non-zero exit or its timeout.
public struct HealthChecker: Sendable {
    /// One host the checks look at.
    public struct Target: Sendable {
        public var name: String
        public var address: String
        public var transport: any HostTransport

        /// Creates a target.
        public init(name: String, address: String, transport: any HostTransport) {
            self.name = name
            self.address = address
            self.transport = transport
        }
    }

    public let checks: [HealthCheck]
    public let targets: [Target]
    public let deploymentID: String

    /// Creates a checker for the hosts of a group, in inventory order.
    public init(checks: [HealthCheck], targets: [Target], deploymentID: String) {
        self.checks = checks
        self.targets = targets
        self.deploymentID = deploymentID
    }

    /// Every check on one host, in order; the first failure, or nil when the host is healthy.
    public func check(host index: Int) async -> GatedRollout.CheckFailure? {
        for check in checks {
            if let failure = await run(check, on: index) { return failure }
        }
        return nil
    }

    /// One round: every check on every host given, the hosts in parallel; the failures in host order.
    public func round(hosts: [Int]) async -> [GatedRollout.CheckFailure] {
        await withTaskGroup(of: (Int, GatedRollout.CheckFailure?).self) { group in
            for (position, host) in hosts.enumerated() {
                group.addTask { (position, await check(host: host)) }
            }
            var failures: [(Int, GatedRollout.CheckFailure)] = []
            for await (position, failure) in group {
                if let failure { failures.append((position, failure)) }
            }
            return failures.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func run(_ check: HealthCheck, on index: Int) async -> GatedRollout.CheckFailure? {
        let target = targets[index]
        let status: Int32
        let output: String
        do {
            switch check.runOn {
            case .host:
                let program = HealthCheckProgram.render(command: check.command, timeout: check.timeout)
                let outcome = try await target.transport.run(program) { _ in }
                guard let parsed = HealthCheckProgram.parse(outcome.lines) else {
                    return failure(check, index, "the check reported no status" + stderr(outcome.stderr))
                }
                (status, output) = parsed
            case .local:
                let environment = [
                    "TARMAC_HOST_NAME": target.name, "TARMAC_HOST_ADDRESS": target.address,
                    "DEPLOYMENT_ID": deploymentID,
                ]
                let program = HealthCheckProgram.render(command: check.command, timeout: check.timeout)
                let outcome = try await LocalCommand.run(program.description, environment: environment)
                let lines = outcome.output.split(separator: "\n").map { ProgramLine.parse($0) }
                guard let parsed = HealthCheckProgram.parse(lines) else {
                    return failure(check, index, "the check reported no status: \(outcome.output)")
                }
                (status, output) = parsed
            }
        } catch {
            return failure(check, index, "the check did not run: \(error)")
        }
        guard status != 0 else { return nil }
        let timedOut = HealthCheckProgram.timeoutStatuses.contains(status)
        let reason = timedOut ? "ran longer than its timeout of \(check.timeout) s" : "exited \(status)"
        let text = VisibleText.escape(output)
        return GatedRollout.CheckFailure(
            check: check.name, host: index, output: text.isEmpty ? reason : "\(reason): \(text)", timedOut: timedOut)
    }

    private func failure(_ check: HealthCheck, _ index: Int, _ message: String) -> GatedRollout.CheckFailure {
        GatedRollout.CheckFailure(check: check.name, host: index, output: VisibleText.escape(message))
    }

    private func stderr(_ text: String) -> String {
        text.isEmpty ? "" : ": " + text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
