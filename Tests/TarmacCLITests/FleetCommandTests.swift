import Foundation
import TarmacTestSupport
import Testing

/// `tarmac plan`, `tarmac rollback` and `tarmac deploy --bundle` on a real fleet.
@Suite("tarmac plan, rollback, deploy --bundle", .serialized, Fleet.trait())
struct FleetCommandTests {
    typealias Project = DeployTests.Project

    /// The id of the newest deployment in the project's history.
    static func newestID(_ project: Project) throws -> String {
        try #require(try DeployFaultTests.newest(project)["id"] as? String)
    }

    @Test func planSaysWhatDeployWouldDoAndChangesNothing() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "OneAtATime")
        defer { project.repo.remove() }
        try project.commit()
        #expect(try project.deploy().status == 0)
        let first = try Self.newestID(project)
        try project.commit()
        let before = fleet.hosts.map { project.events($0) }

        let plan = try runCommand(TestPaths.tarmac, ["plan", "fleet"], in: project.repo.root)
        #expect(plan.status == 0, "\(plan.stderr)")
        let lines = plan.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let commit = try project.repo.git("rev-parse", "HEAD").prefix(12)
        #expect(lines.contains { $0.hasPrefix("plan for group fleet: \(project.name) \(commit)") }, "\(plan.stderr)")
        #expect(lines.contains { $0.hasPrefix("configuration OneAtATime: 2 hosts, 1 at a time, 1 must stay healthy") })
        #expect(lines.contains("order: host1, host2"), "\(plan.stderr)")
        let opt = "/opt/\(project.name)"
        for host in fleet.hosts {
            // What this host would do, from its own heading to the next blank line.
            let start = try #require(lines.firstIndex { $0.hasPrefix("\(host.name) (\(host.address))") })
            let section = Array(lines[start...].prefix { !$0.isEmpty })
            #expect(
                section.contains { $0.hasPrefix("  files: 1 added, 1 changed, 1 removed, ") }
                    && section.contains("    + \(opt)/only-2.html") && section.contains("    ~ \(opt)/index.html")
                    && section.contains("    - \(opt)/only-1.html"), "\(host): \(section)")
            #expect(
                section.contains("  ApplicationStop: hook.sh (last successful revision (\(first)))")
                    && section.contains("  BeforeInstall: hook.sh (new revision)"), "\(host): \(section)")
        }
        // Nothing happened on the hosts, and nothing was recorded.
        #expect(fleet.hosts.map { project.events($0) } == before)
        for host in fleet.hosts { #expect(project.installed(host) == "revision 1\n", "\(host)") }
        #expect(try Self.newestID(project) == first, "a plan is not a deployment")
    }

    @Test func rollbackRedeploysTheLastSuccessfulRevisionOrTheNamedOne() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let none = try project.repo.tarmac("rollback", "fleet")
        #expect(none.status == 2, "nothing to roll back to yet: \(none.stderr)")
        #expect(none.stderr.contains("group fleet has no successful deployment to roll back to"), "\(none.stderr)")

        #expect(try project.deploy().status == 0)
        let one = try Self.newestID(project)
        try project.commit()
        #expect(try project.deploy().status == 0)
        let two = try Self.newestID(project)
        try project.commit(failOn: ["ValidateService": fleet.hosts.map(\.name)])
        #expect(try project.deploy().status == 1)
        for host in fleet.hosts { #expect(project.installed(host) == "revision 3\n", "\(host)") }

        let rollback = try project.repo.tarmac("rollback", "fleet")
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(rollback.stderr.contains("rolling back group fleet to"), "\(rollback.stderr)")
        #expect(rollback.stderr.contains("(deployment \(two))"), "the last successful one: \(rollback.stderr)")
        let shown = try DeployFaultTests.newest(project)
        #expect(shown["creator"] as? String == "rollback")
        #expect(DeployFaultTests.hostStatuses(shown) == ["host1": "Succeeded", "host2": "Succeeded"])
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 2\n", "\(host) is on revision 2 again")
            #expect(project.installed(host, "only-3.html") == nil, "\(host): revision 3's file is gone")
            // Revision 3 installed before it failed: its scripts stop it (spec §2.2), then revision 2's run.
            #expect(
                Array(project.events(host).suffix(5)) == [
                    "ApplicationStop rev=3", "BeforeInstall rev=2", "AfterInstall rev=2", "ApplicationStart rev=2",
                    "ValidateService rev=2",
                ], "\(host): \(project.events(host))")
        }

        // --to names the deployment to return to.
        let named = try project.repo.tarmac("rollback", "fleet", "--to", one)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stderr.contains("(deployment \(one))"), "\(named.stderr)")
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 1\n", "\(host) is on revision 1")
            #expect(
                Array(project.events(host).suffix(5)) == [
                    "ApplicationStop rev=2", "BeforeInstall rev=1", "AfterInstall rev=1", "ApplicationStart rev=1",
                    "ValidateService rev=1",
                ], "\(host): \(project.events(host))")
        }
        let unknown = try project.repo.tarmac("rollback", "fleet", "--to", "d-NOSUCH")
        #expect(unknown.status == 2 && unknown.stderr.contains("no deployment d-NOSUCH of group fleet"))
    }

    @Test func deployBundleSendsThatBundleNotTheCheckedOutRevision() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        let commit = try project.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let bundle = project.repo.root + "/.git/one.tar.gz"
        let tar = project.repo.root + "/.git/one.tar"
        #expect(try project.repo.tarmac("bundle", "-o", bundle).status == 0)
        #expect(try project.repo.tarmac("bundle", "--format", "tar", "-o", tar).status == 0)
        try project.commit()

        // A bundle changed after it was made is refused before any host is touched.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: tar))
        let range = try #require(bytes.range(of: Data("revision 1\n".utf8)))
        bytes.replaceSubrange(range, with: Data("revision 9\n".utf8))
        try bytes.write(to: URL(fileURLWithPath: tar))
        let refused = try project.deploy("--bundle", tar)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("content differs"), "\(refused.stderr)")
        for host in fleet.hosts {
            #expect(project.events(host).isEmpty, "\(host): no hook ran")
            #expect(project.installed(host) == nil, "\(host)")
        }

        let result = try project.deploy("--bundle", bundle)
        #expect(result.status == 0, "\(result.stderr)")
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 1\n", "\(host) has the bundle's revision, not HEAD's")
            #expect(project.events(host).last == "ValidateService rev=1", "\(host)")
        }
        let shown = try DeployFaultTests.newest(project)
        #expect((shown["revision"] as? String)?.hasPrefix(commit) == true, "\(shown)")
    }
}
