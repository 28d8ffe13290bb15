import Foundation
import GRDB
import TarmacCore
import TarmacDeploy
import TarmacTestSupport
import Testing

@testable import TarmacHistory

/// The database itself: schema, round trips, reopening, interrupted runs, volume.
@Suite("history store")
struct HistoryStoreTests {
    @Test func freshDatabaseIsMigratedInWALMode() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        #expect(
            try fixture.store.appliedMigrations() == [
                "v1-deployments", "v2-executions", "v3-interrupted", "v4-retry-window", "v5-bakes", "v6-transfers",
            ])
        let tables = try fixture.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["deployment_hosts", "deployments", "events", "outputs"] {
            #expect(tables.contains(table), "\(tables)")
        }
        let mode = try fixture.store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func repositoryStateDirectoryIgnoresItself() throws {
        let repo = try GitFixture.empty("history-repo")
        defer { repo.remove() }
        let store = try HistoryStore.open(repositoryRoot: repo.root)
        #expect(store.path == repo.root + "/.tarmac/state.db")
        #expect(FileManager.default.fileExists(atPath: store.path))
        let ignore = try String(contentsOfFile: repo.root + "/.tarmac/.gitignore", encoding: .utf8)
        #expect(ignore.split(separator: "\n").contains("*"))
        #expect(try repo.git("status", "--porcelain", "--untracked-files=all").isEmpty)
    }

    @Test func aWholeDeploymentReadsBackAsRecorded() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        let record = try fixture.deploy("d-AAAAAAAA1", failing: "ApplicationStart")
        let detail = try #require(try fixture.store.deployment("d-AAAAAAAA1"))
        #expect(detail.record == record)
        #expect(record.status == .failed)
        #expect(record.message == "web2 failed")
        #expect(record.startedAt == Date(timeIntervalSince1970: 1_767_268_800))
        #expect(record.finishedAt != nil)
        #expect(record.fileExistsBehavior == .overwrite)
        #expect(record.bundlePath == ".tarmac/artifacts/docs-site/\(record.revision).tar.gz")
        #expect(detail.hosts.map(\.name) == ["web1", "web2"])
        #expect(detail.hosts.map(\.status) == [.succeeded, .failed])
        #expect(detail.hosts.map(\.installed) == [true, true])
        #expect(detail.hosts[1].message == "ApplicationStart failed")
        let events = detail.hosts[1].events
        #expect(events.map(\.name) == ["ApplicationStop", "DownloadBundle", "Install", "ApplicationStart"])
        let failed = try #require(events.last)
        #expect(failed.status == .failed)
        #expect(failed.exitCode == 3)
        #expect(failed.message == "scripts/start.sh exited 3")
        #expect(failed.finishedAt! > failed.startedAt!)
        #expect(detail.hosts[0].events.allSatisfy { $0.status == .succeeded && $0.exitCode == 0 })
    }

    @Test func eachHostKeepsWhatItWasSent() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        _ = try fixture.deploy("d-AAAAAAAA1")
        var delta = Transfer(kind: .delta, bytes: 148_897, baseRevision: "1a2b3c4d5e6f")
        delta.reusedFiles = 2_547
        delta.sentFiles = 1
        let full = Transfer(kind: .full, bytes: 60_000_000, reason: "no revision installed")
        try fixture.store.updateHost(deploymentID: "d-AAAAAAAA1", host: "web1", status: .succeeded, transfer: delta)
        try fixture.store.updateHost(deploymentID: "d-AAAAAAAA1", host: "web2", status: .succeeded, transfer: full)
        // A later update without one keeps it.
        try fixture.store.updateHost(deploymentID: "d-AAAAAAAA1", host: "web1", status: .succeeded)
        let detail = try #require(try fixture.store.deployment("d-AAAAAAAA1"))
        #expect(detail.hosts.map(\.transfer) == [delta, full])
        let json = String(decoding: try HistoryJSON.show(detail), as: UTF8.self)
        #expect(json.contains("\"base_revision\" : \"1a2b3c4d5e6f\""), "\(json)")
        #expect(json.contains("\"files_sent\" : 1"), "\(json)")
        #expect(json.contains("\"reason\" : \"no revision installed\""), "\(json)")
    }

    @Test func timesKeepMilliseconds() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-MILLIS001"), hosts: HistoryFixture.hosts)
        let start = Date(timeIntervalSince1970: 1_767_268_800.123)
        try fixture.store.recordEvent(
            deploymentID: "d-MILLIS001", host: "web1",
            EventResult(name: "Install", status: .succeeded, startedAt: start, finishedAt: start + 0.0004))
        let event = try #require(try fixture.store.deployment("d-MILLIS001")?.hosts[0].events.first)
        #expect(event.startedAt == start)
        #expect(event.finishedAt == start)
    }

    @Test func unknownIdsAndDuplicatesAreNamedErrors() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-DUPLICATE"), hosts: HistoryFixture.hosts)
        #expect(throws: HistoryError.duplicateDeployment("d-DUPLICATE")) {
            try fixture.store.begin(HistoryFixture.record("d-DUPLICATE"), hosts: [])
        }
        #expect(throws: HistoryError.unknownDeployment("d-NOSUCHONE")) {
            try fixture.store.updateHost(deploymentID: "d-NOSUCHONE", host: "web1", status: .failed)
        }
        #expect(throws: HistoryError.unknownHost(deployment: "d-DUPLICATE", host: "web9")) {
            try fixture.store.recordEvent(
                deploymentID: "d-DUPLICATE", host: "web9", EventResult(name: "Install", status: .inProgress))
        }
        #expect(throws: HistoryError.unknownDeployment("d-NOSUCHONE")) {
            try fixture.store.finish("d-NOSUCHONE", status: .succeeded)
        }
        #expect(try fixture.store.deployment("d-NOSUCHONE") == nil)
    }

    @Test func reopeningKeepsEverything() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        let record = try fixture.deploy("d-REOPEN001")
        let again = try fixture.reopen()
        #expect(
            try again.appliedMigrations() == [
                "v1-deployments", "v2-executions", "v3-interrupted", "v4-retry-window", "v5-bakes", "v6-transfers",
            ])
        #expect(try again.deployment("d-REOPEN001")?.record == record)
        #expect(try again.output("d-REOPEN001").count == 10)
        try again.begin(HistoryFixture.record("d-REOPEN002"), hosts: [])
        #expect(try fixture.store.deployments().map(\.record.id) == ["d-REOPEN002", "d-REOPEN001"])
    }

    @Test func deploymentsOfDeadProcessesBecomeStopped() throws {
        let fixture = try HistoryFixture(processID: 999_999)
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-KILLED001"), hosts: HistoryFixture.hosts)
        try fixture.store.recordEvent(
            deploymentID: "d-KILLED001", host: "web1",
            EventResult(name: "Install", status: .inProgress, startedAt: fixture.clock.now()))
        let live = try fixture.reopen(processID: 4242)
        #expect(try live.markInterrupted(isRunning: { _ in true }).isEmpty)
        #expect(try fixture.store.markInterrupted(isRunning: { _ in false }).isEmpty, "its own process is alive")
        #expect(try live.markInterrupted(isRunning: { $0 != 999_999 }) == ["d-KILLED001"])
        let detail = try #require(try live.deployment("d-KILLED001"))
        #expect(detail.record.status == .stopped)
        #expect(detail.record.message == HistoryStore.interruptedMessage)
        #expect(detail.record.finishedAt != nil)
        #expect(detail.hosts.allSatisfy { $0.status == .stopped })
        #expect(detail.hosts[0].events.first?.status == .stopped)
        #expect(detail.hosts[0].events.first?.finishedAt != nil)
        #expect(try live.markInterrupted(isRunning: { _ in false }).isEmpty, "only InProgress ones")
    }

    /// The host locks a dead deployment left may be taken back: found by the `interrupted`
    /// column, never by the words of a message (one stopped on request with the same words is not).
    @Test func interruptedDeploymentsAreFoundByTheirColumnNotTheirMessage() throws {
        let fixture = try HistoryFixture(processID: 999_999)
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-KILLED002"), hosts: HistoryFixture.hosts)
        try fixture.store.begin(HistoryFixture.record("d-ASKED0001"), hosts: HistoryFixture.hosts)
        try fixture.store.finish("d-ASKED0001", status: .stopped, message: HistoryStore.interruptedMessage)
        let live = try fixture.reopen(processID: 4242)
        #expect(try live.interruptedDeployments(group: "production").isEmpty)
        #expect(try live.markInterrupted(isRunning: { _ in false }) == ["d-KILLED002"])
        #expect(try live.interruptedDeployments(group: "production") == ["d-KILLED002"])
        #expect(try live.interruptedDeployments(group: "staging").isEmpty)
    }

    @Test func beginStopsWhatADeadProcessLeftBehind() throws {
        let fixture = try HistoryFixture(processID: Int32.max)
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-ORPHAN001"), hosts: HistoryFixture.hosts)
        let next = try fixture.reopen()
        try next.begin(HistoryFixture.record("d-NEXT00001"), hosts: HistoryFixture.hosts)
        #expect(try next.deployment("d-ORPHAN001")?.record.status == .stopped)
        #expect(try next.deployment("d-NEXT00001")?.record.status == .inProgress)
    }

    @Test func twentyThousandOutputLinesAllArriveInOrder() throws {
        let fixture = try HistoryFixture()
        defer { fixture.remove() }
        try fixture.store.begin(HistoryFixture.record("d-CHATTY001"), hosts: HistoryFixture.hosts)
        let lines = (0..<20_000).map(Self.chattyLine)
        for batch in stride(from: 0, to: lines.count, by: 500) {
            try fixture.store.appendOutput(deploymentID: "d-CHATTY001", Array(lines[batch..<batch + 500]))
        }
        let all = try fixture.store.output("d-CHATTY001")
        // Compared outside #expect, which would print 20,000 lines on a mismatch.
        let same = all == lines
        #expect(all.count == 20_000)
        #expect(same)
        let web2After = try fixture.store.output("d-CHATTY001", host: "web2", event: "AfterInstall")
        #expect(web2After.count == 5_000)
        #expect(web2After.first?.text.hasPrefix("line 10001 ") == true)
        let filtered = web2After == lines.filter { $0.host == "web2" && $0.event == "AfterInstall" }
        #expect(filtered)
    }

    private static func chattyLine(_ index: Int) -> OutputLine {
        let milliseconds = Int64(1_767_268_800_000) + Int64(index)
        let host = index.isMultiple(of: 2) ? "web1" : "web2"
        let event = index < 10_000 ? "BeforeInstall" : "AfterInstall"
        let stream: HookStream = index.isMultiple(of: 7) ? .stderr : .stdout
        let time = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return OutputLine(
            time: time, host: host, event: event, stream: stream, text: "line \(index) ✓ 'quoted' $(not run)")
    }
}
