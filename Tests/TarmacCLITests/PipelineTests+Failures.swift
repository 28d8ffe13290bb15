import Foundation
import TarmacTestSupport
import Testing

extension PipelineTests {
    @Test func anInvalidCommittedRevisionFailsTheExecutionBeforeAnyHost() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try Self.project(fleet, pipeline: "  stages:\n    - deploy: fleet\n")
        defer { project.repo.remove() }
        try project.commit()
        try project.repo.write(
            "appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destinaton: /opt/x\n")
        try project.repo.commitAll("typo in the appspec")
        let result = try project.repo.tarmac("run")
        #expect(result.status == 1, "\(result.stderr)")
        let id = try #require(try Self.executions(project).last?["id"] as? String)
        let shown = try Self.show(project, id)
        let message = shown["message"] as? String ?? ""
        let finding = "appspec.yml:4:5: error: files[0].destination is missing"
        #expect(message.contains(finding), "\(message)")
        #expect(try project.repo.tarmac("logs", id).stdout.contains(finding))
        #expect(try project.repo.tarmac("history", "--json").stdout.contains("\"kind\" : \"deployment\"") == false)
        #expect(project.installed(fleet.hosts[0]) == nil)

        // The committed tarmac.yml is what counts; a broken one fails with its line and column.
        try project.repo.write("tarmac.yml", "application: x\npipeline:\n  stages:\n    - deploy: nowhere\n")
        try project.repo.commitAll("broken tarmac.yml")
        let broken = try project.repo.tarmac("run")
        #expect(broken.status == 1 && broken.stderr.contains("tarmac.yml:4:15: error:"), "\(broken.stderr)")
    }

    @Test func aBackgroundRunIsDetachedAndWhenKilledTheNextRunReportsItAndFindsNothingLocked() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try Self.project(fleet, pipeline: "  stages:\n    - deploy: fleet\n")
        defer { project.repo.remove() }
        try project.commit(holdOn: ["ApplicationStart": [fleet.hosts[0].name]])
        // As the post-commit hook would start it: git's variables set, a relative index among them.
        let started = try project.repo.tarmac(
            "run", "--background", environment: ["GIT_INDEX_FILE": ".git/index", "GIT_AUTHOR_DATE": "@0 +0000"])
        let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(started.status == 0 && id.hasPrefix("e-"), "\(started.stderr)")
        // Wait for the hook to hold on the host (never released), then kill the runner outright.
        let held = try project.waitUntilHeld(fleet.hosts[0], "ApplicationStart")
        let runner = try runCommand("pgrep", ["-f", "/tarmac run --execution \(id) --detached"])
        let pid = runner.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(!pid.isEmpty, "the detached runner of \(id) is running")
        // Detached properly: a session of its own, stdin from /dev/null, output in the log, no GIT_*.
        let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
        let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(!variables.isEmpty && !variables.contains { $0.hasPrefix("GIT_") }, "\(variables)")
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        #expect(fields.count > 4 && String(fields[3]) == pid, "its session id is its pid: \(stat)")
        let descriptor = { (fd: Int) in
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
        }
        #expect(descriptor(0) == "/dev/null")
        #expect(descriptor(1) == project.repo.root + "/.tarmac/logs/\(id).log")
        #expect(descriptor(2) == descriptor(1))
        try runCommand("kill", ["-KILL", pid])
        try waitFor("the killed runner \(pid) to be gone", within: 30) { !processIsLive(Int32(pid) ?? 0) }
        try waitFor("the hook of the killed runner and its child on host1 to be gone", within: 30) { held.live.isEmpty }

        try project.commit()
        let next = try project.repo.tarmac("run")
        #expect(next.stderr.contains("warning: execution \(id) for"), "\(next.stderr)")
        #expect(next.stderr.contains("is gone; it is now Stopped"), "\(next.stderr)")
        #expect(next.stderr.contains("its deployment d-"), "the cut-off deployment is named: \(next.stderr)")
        let killed = try Self.show(project, id)
        #expect(killed["state"] as? String == "Stopped")
        #expect((killed["message"] as? String)?.hasPrefix("interrupted: its runner (pid \(pid))") == true)
        // Nothing stays wedged: not the pipeline on the build box, not the host lock the dead
        // deployment left (the history knows its tarmac died, the host that its holder is gone).
        #expect(!next.stderr.contains("waits for \(id)"), "\(next.stderr)")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("removed the stale host lock of d-"), "\(next.stderr)")
        #expect(project.installed(fleet.hosts[0]) == "revision 2\n")
        // Nor does the killed runner's scratch directory (its staged bundle) stay behind.
        let work = try FileManager.default.contentsOfDirectory(atPath: project.repo.root + "/.tarmac/work")
        #expect(work.isEmpty, "\(work)")
    }
}
