import Foundation
import TarmacCore
import TarmacDeploy
import TarmacTestSupport
import Testing

/// The window check a deployment makes first, and `--retry`'s choice of hosts and bundle, with
/// a fixed clock and no fleet.
@Suite("deployment windows and retry: the decisions")
struct WindowPolicyTests {
    /// Monday 7 December 2026, 08:30 in Berlin (07:30 UTC): before the office window.
    static let monday0830 = Date(timeIntervalSince1970: 1_796_628_600)

    static func order(window: String?) throws -> DeploymentOrder {
        var group = DeploymentJournalTests.group(hosts: 2)
        if let window {
            group.window = DeploymentWindow(
                cron: try CronExpression.parse(window), timeZone: TimeZone(identifier: "Europe/Berlin")!)
        }
        return DeploymentOrder(
            repository: "/nonexistent", application: "docs-site",
            selection: GroupSelection(group: group, config: .allAtOnce), bundle: .given("/none"),
            ignoreStopFailures: false)
    }

    @Test func aClosedWindowRefusesNamingTheWindowAndItsNextOpening() throws {
        var order = try Self.order(window: "* 9-16 * * MON-FRI")
        order.windowPolicy = .enforce(.fixed(Self.monday0830))
        #expect {
            _ = try order.checkWindow()
        } throws: { error in
            guard let refusal = error as? DeploymentRefusal, case .outsideWindow = refusal else { return false }
            return refusal.isInvalidInput
                && "\(refusal)"
                    == "group production is outside its deployment window: window \"* 9-16 * * MON-FRI\" "
                    + "Europe/Berlin is closed; it next opens 2026-12-07 09:00 Europe/Berlin (2026-12-07 08:00 UTC); "
                    + "deploy then, or pass --outside-window to deploy now (the history records who did)"
        }
    }

    @Test func anOpenWindowNoWindowAndIgnoredWindowsPass() throws {
        var open = try Self.order(window: "* 9-16 * * MON-FRI")
        open.windowPolicy = .enforce(.fixed(Self.monday0830.addingTimeInterval(3600)))
        #expect(try open.checkWindow() == nil)
        var none = try Self.order(window: nil)
        none.windowPolicy = .enforce(.fixed(Self.monday0830))
        #expect(try none.checkWindow() == nil)
        let rollback = try Self.order(window: "* 9-16 * * MON-FRI")
        #expect(try rollback.checkWindow() == nil, "rollbacks and pipeline stages ignore the window")
    }

    @Test func anOverrideIsRecordedOnlyWhenTheWindowIsClosed() throws {
        var closed = try Self.order(window: "* 9-16 * * MON-FRI")
        closed.windowPolicy = .overridden(by: "alice", .fixed(Self.monday0830))
        #expect(try closed.checkWindow() == "alice")
        var open = closed
        open.windowPolicy = .overridden(by: "alice", .fixed(Self.monday0830.addingTimeInterval(3600)))
        #expect(try open.checkWindow() == nil)
    }

    @Test func planStates() throws {
        let group = try Self.order(window: "* 9-16 * * MON-FRI").group
        #expect(WindowState(group, now: Self.monday0830.addingTimeInterval(3600)).description.hasSuffix("is open"))
        #expect(WindowState(try Self.order(window: nil).group, now: Self.monday0830) == .always)
    }

    // MARK: Retry

    static func record(bundle: String?, sha: String) -> DeploymentRecord {
        DeploymentRecord(
            id: "d-FIRST0001", group: "production", application: "docs-site", revision: "r1", bundleSHA256: sha,
            bundlePath: bundle, configName: "AllAtOnce")
    }

    @Test func retryTakesTheHostsThatDidNotSucceedAndTheKeptBundle() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retry-\(UUID()).tar.gz").path
        try Data("bundle".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let wrong = "3d8cdf1ad2a5a4bd27e0c9bd1abcdb4c1a1abebd08eb9e65d2b6e7b84ce8b2a2"
        let hosts: [(name: String, status: DeploymentStatus)] = [("h1", .succeeded), ("h2", .failed)]
        let base = try Self.order(window: nil)
        let recorded = Self.record(bundle: path, sha: try Self.sha(path))
        let order = try Retry.order(base, retrying: recorded, hosts: hosts)
        #expect(order.hosts == ["h2"] && order.targets.map(\.name) == ["h2"])
        #expect(order.retryOf == "d-FIRST0001")
        guard case .given(let given) = order.bundle else {
            Issue.record("\(order.bundle)")
            return
        }
        #expect(given == path)
        do {
            _ = try Retry.order(
                base, retrying: Self.record(bundle: path, sha: wrong), hosts: hosts)
            Issue.record("a changed bundle was retried")
        } catch {
            guard case .bundleChanged(_, _, let recorded, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(recorded == wrong)
        }
    }

    @Test func retryRefusesAGoneBundleAndADeploymentThatFullySucceeded() throws {
        let base = try Self.order(window: nil)
        let hosts: [(name: String, status: DeploymentStatus)] = [("h1", .succeeded), ("h2", .skipped)]
        do {
            _ = try Retry.order(
                base, retrying: Self.record(bundle: "/gone", sha: "x"), hosts: hosts)
            Issue.record("a gone bundle was retried")
        } catch {
            guard case .bundleGone = error else {
                Issue.record("\(error)")
                return
            }
        }
        do {
            _ = try Retry.order(
                base, retrying: Self.record(bundle: "/gone", sha: "x"),
                hosts: [("h1", .succeeded), ("h2", .succeeded)])
            Issue.record("nothing to retry was retried")
        } catch {
            guard case .nothingToRetry = error else {
                Issue.record("\(error)")
                return
            }
        }
    }

    static func sha(_ path: String) throws -> String {
        try runCommand("/usr/bin/sha256sum", [path], in: "/").stdout.split(separator: " ").first.map(String.init) ?? ""
    }
}
