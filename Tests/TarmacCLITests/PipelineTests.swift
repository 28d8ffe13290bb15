import Foundation
import TarmacTestSupport
import Testing

/// `tarmac run`, the post-commit hook, approvals and overlapping executions, with real
/// repositories, real commits and the real fleet.
@Suite("pipelines", .serialized, Fleet.trait())
struct PipelineTests {
    typealias Project = DeployTests.Project

    /// A project whose tarmac.yml has `groups` for the fleet and the given `pipeline` section.
    static func project(_ fleet: Fleet, groups: String? = nil, pipeline: String) throws -> Project {
        let project = try Project(fleet: fleet, config: "AllAtOnce")
        try project.repo.write(
            "tarmac.yml",
            "application: \(project.name)\ngroups:\n" + (groups ?? fleet.groupYAML()) + "pipeline:\n" + pipeline)
        return project
    }

    /// Both hosts as two groups, `staging` (host1) and `production` (host2).
    static func twoGroups(_ fleet: Fleet) -> String {
        fleet.groupYAML(name: "staging", hosts: [fleet.hosts[0]])
            + fleet.groupYAML(name: "production", hosts: [fleet.hosts[1]])
    }

    /// `history --json` items that are executions, oldest first.
    static func executions(_ project: Project) throws -> [[String: Any]] {
        let result = try project.repo.tarmac("history", "--json", "--limit", "100")
        let items = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return items.filter { $0["kind"] as? String == "execution" }.reversed()
    }

    /// Waits until no execution runs or waits its turn (an approval wait counts as settled).
    @discardableResult
    static func settle(_ project: Project, count: Int, seconds: Double = 60) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let items = try executions(project)
            let busy = items.filter { ["Pending", "Queued", "Running"].contains($0["state"] as? String ?? "") }
            if items.count >= count && busy.isEmpty { return items }
            Thread.sleep(forTimeInterval: 0.3)
        }
        let items = try executions(project)
        Issue.record("executions did not settle in \(seconds) s: \(items.map { ($0["id"]!, $0["state"]!) })")
        return items
    }

    static func show(_ project: Project, _ id: String) throws -> [String: Any] {
        let result = try project.repo.tarmac("show", id, "--json")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    static func stageStatuses(_ shown: [String: Any]) -> [String] {
        (shown["stages"] as? [[String: Any]] ?? []).map { "\($0["name"]!)=\($0["status"]!)" }
    }

    @Test func aBurstOfCommitsInQueuedModeDeploysEveryCommitInOrder() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Self.project(fleet, pipeline: "  mode: QUEUED\n  stages:\n    - deploy: fleet\n")
        defer { project.repo.remove() }
        try project.commit()
        // A post-commit hook of the user's own is kept and still runs for every commit.
        let mine = project.repo.root + "/.git/commits-seen"
        try project.repo.write(
            ".git/hooks/post-commit", "#!/bin/sh\ngit rev-parse HEAD >> '\(mine)'\n", executable: true)
        let installed = try project.repo.tarmac("hook", "install")
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains("kept your existing post-commit hook"), "\(installed.stderr)")
        // Revision 2 holds on host1 until commits 3 and 4 have their executions: they queue behind it.
        var commits: [String] = []
        for revision in 2...4 {
            try project.commit(holdOn: revision == 2 ? ["ApplicationStart": [fleet.hosts[0].name]] : [:])
            commits.append(try project.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines))
            if revision == 2 { try project.waitUntilHeld(fleet.hosts[0], "ApplicationStart") }
        }
        try waitFor("three executions in the history") { try Self.executions(project).count >= 3 }
        try project.release(fleet.hosts[0], "ApplicationStart", revision: 2)
        let items = try Self.settle(project, count: 3)
        #expect(items.map { $0["commit"] as? String } == commits)
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == commits.joined(separator: "\n") + "\n")
        #expect(items.map { $0["state"] as? String } == ["Succeeded", "Succeeded", "Succeeded"])
        #expect(items.map { $0["trigger"] as? String } == ["post-commit", "post-commit", "post-commit"])
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 4\n", "\(host)")
            let starts = project.events(host).filter { $0.hasPrefix("ApplicationStart") }
            #expect(
                starts == ["ApplicationStart rev=2", "ApplicationStart rev=3", "ApplicationStart rev=4"], "\(host)")
        }
    }

    @Test func aBurstOfCommitsInSupersededModeDeploysTheNewestAndSkipsTheWaiting() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Self.project(fleet, pipeline: "  mode: SUPERSEDED\n  stages:\n    - deploy: fleet\n")
        defer { project.repo.remove() }
        try project.commit()
        #expect(try project.repo.tarmac("hook", "install").status == 0)
        // Revision 2 holds on host1 until commits 3, 4 and 5 have their executions: they wait while 2 deploys.
        for revision in 2...5 {
            try project.commit(holdOn: revision == 2 ? ["ApplicationStart": [fleet.hosts[0].name]] : [:])
            if revision == 2 { try project.waitUntilHeld(fleet.hosts[0], "ApplicationStart") }
        }
        try waitFor("four executions in the history") { try Self.executions(project).count >= 4 }
        try project.release(fleet.hosts[0], "ApplicationStart", revision: 2)
        let items = try Self.settle(project, count: 4)
        let states = items.map { $0["state"] as? String ?? "" }
        #expect(states.first == "Succeeded" && states.last == "Succeeded", "\(states)")
        #expect(states.dropFirst().dropLast().allSatisfy { $0 == "Superseded" }, "\(states)")
        #expect(states.filter { $0 == "Superseded" }.count >= 1, "\(states)")
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 5\n", "\(host)")
            #expect(!project.events(host).contains("ApplicationStart rev=3"), "\(host): a superseded commit ran")
        }
        let replaced = try #require(items.first { $0["state"] as? String == "Superseded" })
        #expect((replaced["message"] as? String)?.hasPrefix("superseded by e-") == true)
        #expect(replaced["status"] as? String == "Stopped")
    }

    @Test func commitsOutsideTheTriggerBranchesOrPathsAreRecordedAsSkipped() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try Self.project(
            fleet,
            pipeline: "  trigger: { branches: [main], paths: [app/, appspec.yml] }\n  stages:\n    - deploy: fleet\n")
        defer { project.repo.remove() }
        try project.commit()
        #expect(try project.repo.tarmac("hook", "install").status == 0)
        try project.repo.git("checkout", "-q", "-b", "feature/x")
        try project.commit()
        let items = try Self.settle(project, count: 1)
        #expect(items.first?["state"] as? String == "Skipped")
        #expect(items.first?["branch"] as? String == "feature/x")
        #expect(
            items.first?["message"] as? String == #"branch "feature/x" is not in trigger.branches [main]"#)
        #expect(project.installed(fleet.hosts[0]) == nil, "nothing was deployed")
        // By hand, the same commit runs: the trigger filters are for the hook.
        let manual = try project.repo.tarmac("run")
        #expect(manual.status == 0, "\(manual.stderr)")
        #expect(project.installed(fleet.hosts[0]) == "revision 2\n")

        // Back on main: a commit touching none of the paths is skipped, one touching app/ deploys.
        try project.repo.git("checkout", "-q", "main")
        try project.repo.write("NOTES.md", "not deployed\n")
        try project.repo.commitAll("notes only")
        let skipped = try Self.settle(project, count: 3).last ?? [:]
        #expect(skipped["state"] as? String == "Skipped")
        #expect(
            skipped["message"] as? String
                == "no changed path matches trigger.paths [app/, appspec.yml] (changed: NOTES.md)")
        try project.commit()
        let deployed = try Self.settle(project, count: 4).last ?? [:]
        #expect(deployed["state"] as? String == "Succeeded", "\(deployed)")
        #expect(project.installed(fleet.hosts[0]) == "revision 3\n")
    }

    @Test func anApprovalWaitsShowsItsCommitAndIsApprovedOrRejected() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Self.project(
            fleet, groups: Self.twoGroups(fleet),
            pipeline:
                "  stages:\n    - deploy: staging\n    - approval: { message: \"promote to production?\" }\n    - deploy: production\n"
        )
        defer { project.repo.remove() }
        try project.commit()
        let first = try project.repo.tarmac("run")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("waits for approval: \"promote to production?\""), "\(first.stderr)")
        let waiting = try #require(try Self.executions(project).last)
        let id = try #require(waiting["id"] as? String)
        #expect(waiting["state"] as? String == "AwaitingApproval" && waiting["status"] as? String == "InProgress")
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n" && project.installed(fleet.hosts[1]) == nil)
        let history = try project.repo.tarmac("history")
        let commit = try project.repo.git("rev-parse", "HEAD").prefix(12)
        #expect(
            history.stdout.contains("\(id) \"promote to production?\" for \(commit) \"revision 1\""),
            "\(history.stdout)")

        let rejected = try project.repo.tarmac("reject", id, "--reason", "not on a Friday")
        #expect(rejected.status == 0, "\(rejected.stderr)")
        #expect(
            Self.stageStatuses(try Self.show(project, id)) == [
                "source=Succeeded", "staging=Succeeded", "promote to production?=Failed", "production=Pending",
            ])
        #expect(try Self.show(project, id)["status"] as? String == "Failed")
        #expect(project.installed(fleet.hosts[1]) == nil, "a rejected execution deploys nothing more")
        #expect(try project.repo.tarmac("approve", id).status == 2, "a rejected execution cannot be approved")

        try project.commit()
        #expect(try project.repo.tarmac("run").status == 0)
        let second = try #require(try Self.executions(project).last?["id"] as? String)
        let approved = try project.repo.tarmac("approve", second)
        #expect(approved.status == 0, "\(approved.stderr)")
        let shown = try Self.show(project, second)
        #expect(shown["status"] as? String == "Succeeded")
        #expect(Self.stageStatuses(shown).allSatisfy { $0.hasSuffix("=Succeeded") }, "\(Self.stageStatuses(shown))")
        #expect(project.installed(fleet.hosts[1]) == "revision 2\n")
        let deployments = (shown["stages"] as? [[String: Any]] ?? []).compactMap { $0["deployment_id"] as? String }
        #expect(deployments.count == 2)
        let production = try project.repo.tarmac("show", deployments[1], "--json")
        #expect(production.stdout.contains("\"execution_id\" : \"\(second)\""), "\(production.stdout)")
    }
}
