import Foundation
import Synchronization
import TarmacCore
import TarmacDeploy
import TarmacHistory
import TarmacTestSupport
import Testing

/// A clock for the store: 2026-01-01T12:00:00Z, then 1.5 s later on every read.
private final class Ticks: Sendable {
    private let count = Mutex(0)

    func next() -> Date {
        let tick = count.withLock { value in
            defer { value += 1 }
            return value
        }
        return Date(timeIntervalSince1970: 1_767_268_800 + Double(tick) * 1.5)
    }
}

/// `tarmac history`, `show` and `logs` run as users run them, over a history written by the library.
@Suite("tarmac history, show, logs")
struct HistoryCLITests {
    /// A repository whose history holds a succeeded staging deployment and a failed production one.
    static func repository() throws -> GitFixture {
        let repo = try GitFixture.empty("history-cli")
        let clock = Ticks()
        let store = try HistoryStore.open(repositoryRoot: repo.root, clock: { clock.next() })
        try record(store, clock: clock, id: "d-STAGING01", group: "staging", failing: nil)
        try record(store, clock: clock, id: "d-PRODUCT01", group: "production", failing: "ApplicationStart")
        return repo
    }

    fileprivate static func record(
        _ store: HistoryStore, clock: Ticks, id: String, group: String, failing: String?
    ) throws {
        let record = DeploymentRecord(
            id: id, group: group, application: "docs-site", revision: "0123456789abcdef0123456789abcdef01234567",
            bundleSHA256: String(repeating: "cd", count: 32), configName: "AllAtOnce")
        try store.begin(
            record,
            hosts: [HostTarget(name: "web1", address: "10.0.0.1"), HostTarget(name: "web2", address: "10.0.0.2")])
        for host in ["web1", "web2"] {
            for name in ["Install", "ApplicationStart"] {
                let time = clock.next()
                let fails = host == "web2" && name == failing
                try store.appendOutput(
                    deploymentID: id,
                    [
                        OutputLine(
                            time: time, host: host, event: name, stream: fails ? .stderr : .stdout,
                            text: "\(name) says hi")
                    ])
                try store.recordEvent(
                    deploymentID: id, host: host,
                    EventResult(
                        name: name, status: fails ? .failed : .succeeded, startedAt: time, finishedAt: time + 0.25,
                        exitCode: fails ? 7 : 0, message: fails ? "scripts/start.sh exited 7" : nil))
            }
            let fails = host == "web2" && failing != nil
            try store.updateHost(deploymentID: id, host: host, status: fails ? .failed : .succeeded, installed: true)
        }
        try store.finish(id, status: failing == nil ? .succeeded : .failed)
    }

    @Test func historyListsNewestFirstAndFiltersByGroup() throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        let all = try repo.tarmac("history")
        #expect(all.status == 0, "\(all.stderr)")
        let sections = all.stdout.components(separatedBy: "\n\n")
        #expect(sections.count == 2, "what runs where, then the table")
        let now = sections[0].split(separator: "\n")
        #expect(now.first == "what runs where now (revision installed last on each host):")
        #expect(
            now.dropFirst().map { $0.split(separator: " ").map(String.init) } == [
                ["production", "0123456789ab", "web1", "web2", "(d-PRODUCT01)"],
                ["staging", "0123456789ab", "web1", "web2", "(d-STAGING01)"],
            ])
        let lines = sections[1].split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID ") == true)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("d-PRODUCT01  Failed "))
        #expect(lines[1].contains("0123456789ab "))
        #expect(lines[1].hasSuffix("1/2"))
        #expect(lines[2].hasPrefix("d-STAGING01  Succeeded"))
        let staging = try repo.tarmac("history", "--group", "staging", "--json")
        #expect(staging.status == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(staging.stdout.utf8)) as? [[String: Any]])
        #expect(list.map { $0["id"] as? String } == ["d-STAGING01"])
        #expect(list[0]["hosts"] == nil)
        #expect(try repo.tarmac("history", "--group", "nowhere").stdout == "no deployments to nowhere yet\n")
    }

    @Test func showPrintsTheContractJSON() throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        let shown = try repo.tarmac("show", "d-PRODUCT01", "--json")
        #expect(shown.status == 0, "\(shown.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(object["id"] as? String == "d-PRODUCT01")
        #expect(object["kind"] as? String == "deployment")
        #expect(object["status"] as? String == "Failed")
        #expect(object["started_at"] as? String == "2026-01-01T12:00:09.000Z")
        let hosts = try #require(object["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["name"] as? String } == ["web1", "web2"])
        let failed = try #require((hosts[1]["events"] as? [[String: Any]])?.last)
        #expect(failed["exit_code"] as? Int == 7)
        #expect(failed["finished_at"] as? String == "2026-01-01T12:00:15.250Z")
        let text = try repo.tarmac("show", "d-PRODUCT01")
        #expect(text.status == 0)
        #expect(text.stdout.contains("web2 (10.0.0.2): Failed"))
        #expect(text.stdout.contains("✗ ApplicationStart  Failed     0.2s  exit 7  scripts/start.sh exited 7"))
    }

    @Test func logsFilterByHostAndEvent() throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        let web2 = try repo.tarmac("logs", "d-PRODUCT01", "--host", "web2")
        #expect(web2.status == 0, "\(web2.stderr)")
        #expect(
            web2.stdout == """
                2026-01-01T12:00:13.500Z web2 Install stdout Install says hi
                2026-01-01T12:00:15.000Z web2 ApplicationStart stderr ApplicationStart says hi

                """)
        let one = try repo.tarmac("logs", "-C", repo.root, "d-PRODUCT01", "--event", "Install", "--host", "web1")
        #expect(one.stdout == "2026-01-01T12:00:10.500Z web1 Install stdout Install says hi\n")
        let typo = try repo.tarmac("logs", "d-PRODUCT01", "--host", "web9")
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("has no host web9; its hosts: web1, web2"))
    }

    /// The repository of `repository()` plus a pipeline execution that deployed d-STAGING01 and
    /// waits at its approval.
    static func repositoryWithExecution() throws -> (GitFixture, HistoryStore) {
        let repo = try repository()
        let clock = Ticks()
        let store = try HistoryStore.open(repositoryRoot: repo.root, clock: { clock.next() })
        try store.createExecution(
            ExecutionRecord(
                id: "e-EXECUTE01", application: "docs-site", commit: "0123456789abcdef0123456789abcdef01234567",
                subject: "docs: a new page", branch: "main", trigger: .postCommit,
                logPath: ".tarmac/logs/e-EXECUTE01.log", runner: .current))
        try store.defineStages(
            "e-EXECUTE01", mode: .queued,
            stages: [
                StageRecord(position: 0, kind: .source, name: "source"),
                StageRecord(position: 1, kind: .deploy, name: "staging"),
                StageRecord(position: 2, kind: .approval, name: "promote to production?"),
                StageRecord(position: 3, kind: .deploy, name: "production"),
            ])
        try store.updateStage("e-EXECUTE01", position: 0, status: .inProgress)
        try store.updateStage("e-EXECUTE01", position: 0, status: .succeeded)
        try store.enqueue("e-EXECUTE01", at: 1)
        #expect(try store.takeTurn("e-EXECUTE01") == .started)
        try store.updateStage("e-EXECUTE01", position: 1, status: .inProgress, deploymentID: "d-STAGING01")
        try store.updateStage("e-EXECUTE01", position: 1, status: .succeeded)
        try store.advance("e-EXECUTE01", to: 2)
        try store.awaitApproval("e-EXECUTE01", at: 2)
        return (repo, store)
    }

    @Test func anExecutionWaitingForApprovalIsListedWithItsCommit() throws {
        let (repo, store) = try Self.repositoryWithExecution()
        defer { repo.remove() }
        let history = try repo.tarmac("history")
        #expect(
            history.stdout.contains(
                "waiting for approval:\n  e-EXECUTE01 \"promote to production?\" for 0123456789ab \"docs: a new page\" — tarmac approve e-EXECUTE01"
            ), "\(history.stdout)")
        #expect(history.stdout.contains("e-EXECUTE01  AwaitingApproval  staging→production  0123456789ab"))
        let show = try repo.tarmac("show", "e-EXECUTE01")
        #expect(show.stdout.contains("answer with: tarmac approve e-EXECUTE01   or   tarmac reject e-EXECUTE01"))
        _ = try store.reject("e-EXECUTE01", by: "ana", reason: "wait for the release notes")
        try Golden.check(try repo.tarmac("show", "e-EXECUTE01").stdout, "history/show-execution.txt")
        try Golden.check(try repo.tarmac("show", "e-EXECUTE01", "--json").stdout, "history/show-execution.json")
        let unknown = try repo.tarmac("show", "e-NOTHERE1")
        #expect(unknown.status == 2 && unknown.stderr.contains("no execution e-NOTHERE1"))
        #expect(try repo.tarmac("approve", "e-EXECUTE01").status == 2)
    }

    @Test func humanViewsAreGolden() throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        try Golden.check(try repo.tarmac("history").stdout, "history/history.txt")
        try Golden.check(try repo.tarmac("show", "d-PRODUCT01").stdout, "history/show.txt")
    }

    @Test func unknownIdsExitTwoNamingTheId() throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        for command in ["show", "logs"] {
            let result = try repo.tarmac(command, "d-UNKNOWN00")
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("no deployment d-UNKNOWN00"))
            #expect(result.stderr.contains("tarmac history"))
        }
    }

    @Test func aRepositoryWithoutHistoryHasNoneAndGetsNoFiles() throws {
        let repo = try GitFixture.empty("history-none")
        defer { repo.remove() }
        let result = try repo.tarmac("history")
        #expect(result.status == 0)
        #expect(result.stdout == "no deployments yet\n")
        #expect(try repo.tarmac("history", "--json").stdout == "[]\n")
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.tarmac"))
        #expect(try repo.tarmac("show", "d-ANYTHING0").status == 2)
    }
}
