import Foundation
import TarmacTestSupport
import Testing

/// Deployment windows on the fleet: `deploy` refused outside the window and the override
/// recorded, and a pipeline stage that waits for a window opening a minute later. The windows are
/// computed from the current time (one minute of one day), so they are closed or open for sure.
@Suite("deployment windows", .serialized, Fleet.trait())
struct WindowTests {
    typealias Project = DeployTests.Project

    /// A cron expression for exactly the minute holding `date` in `zone`, and that minute as
    /// the window describes it (`YYYY-MM-DD HH:MM zone (YYYY-MM-DD HH:MM UTC)`).
    static func minute(_ date: Date, zone: String) -> (cron: String, text: String) {
        func civil(_ zone: String) -> (DateComponents, String) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone)!
            let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
            let text = String(format: "%04d-%02d-%02d %02d:%02d", p.year!, p.month!, p.day!, p.hour!, p.minute!)
            return (p, text)
        }
        let (local, localText) = civil(zone)
        let cron = "\(local.minute!) \(local.hour!) \(local.day!) \(local.month!) *"
        return (cron, "\(localText) \(zone) (\(civil("UTC").1) UTC)")
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func outsideTheWindowDeployIsRefusedUntilOverriddenAndTheOverrideIsRecorded() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        let opening = Self.minute(Date().addingTimeInterval(30 * 60), zone: "Europe/Berlin")
        var project = try Project(
            fleet: fleet, config: "AllAtOnce",
            extra: ["window: { cron: \"\(opening.cron)\", timezone: Europe/Berlin }"])
        defer { project.repo.remove() }
        try project.commit()

        let refused = try project.deploy()
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "group fleet is outside its deployment window: window \"\(opening.cron)\" Europe/Berlin is closed; "
                    + "it next opens \(opening.text)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--outside-window"), "\(refused.stderr)")
        #expect(project.events(fleet.hosts[0]).isEmpty, "no host was touched")
        #expect(project.installed(fleet.hosts[0]) == nil)

        let plan = try runCommand(TestPaths.tarmac, ["plan", "fleet"], in: project.repo.root)
        #expect(plan.stderr.contains("is closed; it next opens \(opening.text): deploy refuses now"), "\(plan.stderr)")
        let planJSON = try Self.json(
            try runCommand(TestPaths.tarmac, ["plan", "fleet", "--json"], in: project.repo.root).stdout)
        let window = try #require(planJSON["window"] as? [String: Any])
        #expect(window["open"] as? Bool == false && window["timezone"] as? String == "Europe/Berlin", "\(window)")

        let forced = try project.deploy("--outside-window")
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n")
        let items = try #require(
            try JSONSerialization.jsonObject(with: Data(try project.repo.tarmac("history", "--json").stdout.utf8))
                as? [[String: Any]])
        #expect(items.count == 1, "the refused deployment was never recorded: \(items)")
        let id = try #require(items.first?["id"] as? String)
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "root"
        #expect(items.first?["window_overridden_by"] as? String == user, "\(items)")
        let shown = try project.repo.tarmac("show", id)
        #expect(shown.stdout.contains("outside the window (overridden by \(user))"), "\(shown.stdout)")
        let history = try project.repo.tarmac("history")
        #expect(history.stdout.contains("outside window (overridden by \(user))"), "\(history.stdout)")
    }

    @Test func aPipelineStageWaitsForAWindowOpeningAMinuteLaterAndCtrlCOrAKillEndsAWait() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try PipelineTests.project(fleet, pipeline: "  stages:\n    - deploy: fleet\n")
        defer { project.repo.remove() }
        // The minute starting 70 to 130 seconds from now, in UTC, chosen just before the commit the run
        // deploys: on a loaded machine (CI runs many fleet tests at once) the run can take tens of
        // seconds to reach its deploy stage, and a wait that ends before it begins cannot be seen.
        let opensAt = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 + 130) / 60).rounded(.down) * 60)
        let opening = Self.minute(opensAt, zone: "UTC")
        try project.repo.write(
            "tarmac.yml",
            "application: \(project.name)\ngroups:\n"
                + fleet.groupYAML(extra: ["window: { cron: \"\(opening.cron)\", timezone: UTC }"])
                + "pipeline:\n  stages:\n    - deploy: fleet\n")
        try project.commit()
        let run = try BackgroundCommand(TestPaths.tarmac, ["run"], in: project.repo.root)
        defer { run.remove() }
        let waiting = "waiting for window \"\(opening.cron)\" UTC, opens at \(opening.text)"
        do {
            // The wait can only be seen before the window opens.
            try waitFor("the history to show the wait", within: opensAt.timeIntervalSinceNow) {
                try project.repo.tarmac("history").stdout.contains(waiting)
            }
        } catch {
            let history = try project.repo.tarmac("history")
            Issue.record("the run printed:\n\(run.stderr)\nhistory:\n\(history.stdout)\(history.stderr)")
            throw error
        }
        let id = try #require(try PipelineTests.executions(project).last?["id"] as? String)
        #expect(try project.repo.tarmac("show", id).stdout.contains(waiting))
        #expect(project.installed(fleet.hosts[0]) == nil, "nothing deploys before the window opens")
        #expect(try run.wait(within: 180) == 0, "\(run.stderr)")
        #expect(run.stderr.contains("deploy fleet: \(waiting)"), "\(run.stderr)")
        let shown = try PipelineTests.show(project, id)
        #expect(shown["state"] as? String == "Succeeded", "\(shown)")
        let stage = try #require((shown["stages"] as? [[String: Any]])?.last)
        #expect(
            stage["message"] as? String == "waited for window \"\(opening.cron)\" UTC, opened at \(opening.text)",
            "\(stage)")
        let deploymentID = try #require(stage["deployment_id"] as? String)
        let deployment = try Self.json(try project.repo.tarmac("show", deploymentID, "--json").stdout)
        let started = try #require(deployment["started_at"] as? String)
        let parsed =
            ISO8601DateFormatter.withFractions.date(from: started) ?? ISO8601DateFormatter().date(from: started)
        let startedAt = try #require(parsed)
        #expect(startedAt >= opensAt, "the deployment started at \(started), before the window opened at \(opensAt)")
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n")

        // A wait far from its window: Ctrl-C stops it, nothing stays running.
        let later = Self.minute(Date().addingTimeInterval(30 * 60), zone: "UTC")
        try project.repo.write(
            "tarmac.yml",
            "application: \(project.name)\ngroups:\n"
                + fleet.groupYAML(extra: ["window: { cron: \"\(later.cron)\", timezone: UTC }"])
                + "pipeline:\n  stages:\n    - deploy: fleet\n")
        try project.commit()
        let stopped = try BackgroundCommand(TestPaths.tarmac, ["run"], in: project.repo.root)
        defer { stopped.remove() }
        try waitFor("the second execution to wait for its window") {
            try project.repo.tarmac("history").stdout.contains("opens at \(later.text)")
        }
        stopped.interrupt()
        #expect(try stopped.wait(within: 30) == 130, "\(stopped.stderr)")
        let second = try #require(try PipelineTests.executions(project).last)
        #expect(second["state"] as? String == "Stopped", "\(second)")
        let secondID = try #require(second["id"] as? String)
        let secondStages = try PipelineTests.show(project, secondID)["stages"] as? [[String: Any]]
        let secondStage = try #require(secondStages?.last)
        #expect(secondStage["status"] as? String == "Stopped", "\(secondStage)")
        #expect(
            (secondStage["message"] as? String)?.hasPrefix("stopped on request while waiting for window") == true,
            "\(secondStage)")
        #expect(!(try project.repo.tarmac("history").stdout.contains("waiting for a deployment window")))

        // Killed while it waits: the next reader finds its runner dead and stops it.
        try project.commit()
        let killed = try BackgroundCommand(TestPaths.tarmac, ["run"], in: project.repo.root)
        defer { killed.remove() }
        try waitFor("the third execution to wait for its window") {
            try PipelineTests.executions(project).count == 3
                && project.repo.tarmac("history").stdout.contains("opens at \(later.text)")
        }
        kill(killed.pid, SIGKILL)
        _ = try? killed.wait(within: 30)
        let third = try #require(try PipelineTests.executions(project).last)
        #expect(third["state"] as? String == "Stopped", "\(third)")
        #expect(!(try project.repo.tarmac("history").stdout.contains("waiting for a deployment window")))
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n")
    }
}

extension ISO8601DateFormatter {
    /// Timestamps with milliseconds, as the history's JSON writes them.
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
