import Foundation
import Synchronization
import TarmacCore

/// Writes a running group deployment into its journal (the history) as its progress arrives: events as
/// they start and finish, hook output in one batch per event, each host's final state.
///
/// History is a record, not a gate: a write that fails is kept as a warning and the
/// deployment goes on.
public final class DeploymentRecorder: Sendable {
    public let journal: any DeploymentJournal
    public let deploymentID: String
    private let hosts: [String]
    private let clock: @Sendable () -> Date
    private let state = Mutex(State())

    private struct State {
        var output: [String: [OutputLine]] = [:]
        var warnings: [String] = []
        var bake: BakeRecord?
    }

    /// Starts recording: the deployment and its hosts are stored as `InProgress`.
    public init(
        journal: any DeploymentJournal, record: DeploymentRecord, hosts: [HostTarget],
        clock: @escaping @Sendable () -> Date = {
            Date()
        }
    ) throws {
        self.journal = journal
        self.deploymentID = record.id
        self.hosts = hosts.map(\.name)
        self.clock = clock
        try journal.recordStart(record, hosts: hosts)
    }

    /// Problems writing the history, for the user to see once at the end.
    public var warnings: [String] { state.withLock { $0.warnings } }

    /// Records one progress report of the group runner.
    public func record(_ progress: GroupProgress) {
        switch progress {
        case .host(let index, let report): record(host: hosts[index], report)
        case .finished(let index, let result): finished(host: hosts[index], result)
        case .health(let report): record(report)
        case .preparing, .prepared, .started, .halted: break
        }
    }

    func hostName(_ index: Int) -> String { hosts[index] }
    var currentBake: BakeRecord? { state.withLock { $0.bake } }
    func setBake(_ bake: BakeRecord?) { state.withLock { $0.bake = bake } }

    /// The deployment's end.
    public func finish(status: DeploymentStatus, message: String?) {
        attempt { try journal.finish(deploymentID, status: status, message: message) }
    }

    private func record(host: String, _ report: DeploymentProgress) {
        switch report {
        case .eventStarted(let name):
            let event = EventResult(name: name, status: .inProgress, startedAt: clock())
            attempt { try journal.recordEvent(deploymentID: deploymentID, host: host, event) }
        case .eventFinished(let event):
            flush(host: host)
            attempt { try journal.recordEvent(deploymentID: deploymentID, host: host, event) }
        case .output(let event, let stream, let text):
            let line = OutputLine(
                time: clock(), host: host, event: event, stream: HookStream(rawValue: stream) ?? .stdout, text: text)
            state.withLock { $0.output[host, default: []].append(line) }
        case .note:
            break
        }
    }

    private func finished(host: String, _ result: HostResult) {
        flush(host: host)
        for event in result.events {
            attempt { try journal.recordEvent(deploymentID: deploymentID, host: host, event) }
        }
        var message = result.problems.isEmpty ? nil : result.problems.map(\.description).joined(separator: "; ")
        if message == nil, result.outcome == .failed || result.outcome == .stopped, result.install != .notRun {
            message = "this host \(result.revisionState)"
        }
        attempt {
            try journal.updateHost(
                deploymentID: deploymentID, host: host, status: result.status, installed: result.installed,
                message: message, transfer: result.transfer)
        }
    }

    private func flush(host: String) {
        let lines = state.withLock { $0.output.removeValue(forKey: host) ?? [] }
        guard !lines.isEmpty else { return }
        attempt { try journal.appendOutput(deploymentID: deploymentID, lines) }
    }

    func attempt(_ write: () throws -> Void) {
        do {
            try write()
        } catch {
            state.withLock { $0.warnings.append("\(error)") }
        }
    }
}
