import Foundation
import Synchronization
import TarmacCore
import TarmacDeploy
import TarmacHistory
import TarmacTestSupport
import Testing

/// A clock that starts at 2026-01-01T12:00:00Z and moves 250 ms every time it is read.
final class SteppingClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_767_268_800))
    let step: TimeInterval

    init(step: TimeInterval = 0.25) {
        self.step = step
    }

    func now() -> Date {
        current.withLock { value in
            defer { value += step }
            return value
        }
    }
}

/// A history database in a temporary directory, removed by `remove()`.
struct HistoryFixture {
    let directory: String
    let clock = SteppingClock()
    let store: HistoryStore

    init(processID: Int32 = ProcessInfo.processInfo.processIdentifier) throws {
        directory = try TestPaths.temporaryDirectory("history")
        let clock = clock
        store = try HistoryStore(path: directory + "/state.db", clock: { clock.now() }, processID: processID)
    }

    /// Another store on the same file, as a second tarmac process would open it.
    func reopen(processID: Int32 = ProcessInfo.processInfo.processIdentifier) throws -> HistoryStore {
        let clock = clock
        return try HistoryStore(path: directory + "/state.db", clock: { clock.now() }, processID: processID)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func record(
        _ id: String, group: String = "production", revision: String = "1111111111111111111111111111111111111111",
        creator: DeploymentCreator = .user
    ) -> DeploymentRecord {
        DeploymentRecord(
            id: id, group: group, application: "docs-site", revision: revision, commit: revision,
            bundleSHA256: String(repeating: "ab", count: 32),
            bundlePath: ".tarmac/artifacts/docs-site/\(revision).tar.gz",
            configName: "OneAtATime", fileExistsBehavior: .overwrite, creator: creator)
    }

    static let hosts = [
        HostTarget(name: "web1", address: "10.20.0.11"), HostTarget(name: "web2", address: "10.20.0.12"),
    ]

    /// Records a whole deployment: every host runs `events`; `failing` fails that event on web2.
    @discardableResult
    func deploy(
        _ id: String, group: String = "production", revision: String = "1111111111111111111111111111111111111111",
        events: [String] = ["ApplicationStop", "DownloadBundle", "Install", "ApplicationStart", "ValidateService"],
        failing: String? = nil
    ) throws -> DeploymentRecord {
        try store.begin(Self.record(id, group: group, revision: revision), hosts: Self.hosts)
        var failed = false
        for host in Self.hosts {
            let ok = try run(id, host: host.name, events: events, failing: host.name == "web2" ? failing : nil)
            failed = failed || !ok
        }
        try store.finish(id, status: failed ? .failed : .succeeded, message: failed ? "web2 failed" : nil)
        return try #require(try store.deployment(id)).record
    }

    private func run(_ id: String, host: String, events: [String], failing: String?) throws -> Bool {
        try store.updateHost(deploymentID: id, host: host, status: .inProgress)
        var installed = false
        for name in events {
            let start = clock.now()
            try store.recordEvent(
                deploymentID: id, host: host, EventResult(name: name, status: .inProgress, startedAt: start))
            try store.appendOutput(
                deploymentID: id, host: host, event: name, stream: .stdout, text: "\(name) on \(host)")
            let fails = name == failing
            if fails {
                try store.appendOutput(deploymentID: id, host: host, event: name, stream: .stderr, text: "boom")
            }
            try store.recordEvent(
                deploymentID: id, host: host,
                EventResult(
                    name: name, status: fails ? .failed : .succeeded, startedAt: start, finishedAt: clock.now(),
                    exitCode: fails ? 3 : 0, message: fails ? "scripts/start.sh exited 3" : nil))
            if fails {
                try store.updateHost(
                    deploymentID: id, host: host, status: .failed, installed: installed, message: "\(name) failed")
                return false
            }
            installed = installed || name == "Install"
        }
        try store.updateHost(deploymentID: id, host: host, status: .succeeded, installed: installed)
        return true
    }
}
