import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

@Suite("Install program")
struct InstallProgramTests {
    static let layout = HostLayout(root: "/opt/tarmac", groupID: "g-web")

    /// Puts files into the unpacked revision of `deploymentID` inside the sandbox.
    static func archive(_ box: ProgramSandbox, _ deploymentID: String, _ files: [String: String]) throws {
        for (path, contents) in files {
            try box.write(layout.archiveDirectory(deploymentID) + "/" + path, contents)
        }
    }

    static func copy(
        _ source: String, _ destination: String, mode: UInt32 = 0o644, replaces: HostFacts.PathKind = .missing
    )
        -> InstallPlan.Step
    {
        .copyFile(source: source, destination: destination, mode: mode, replaces: replaces)
    }

    static func cleanupBytes(_ box: ProgramSandbox) -> [UInt8]? {
        FileManager.default.contents(atPath: box.host(layout.cleanupFile)).map { Array($0) }
    }

    @Test("plain paths are recorded in batches; one with a newline or a backslash alone, in order", .sandboxed)
    func recordsInBatchesAndEscapedInOrder() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let names = ["a", "b\\c", "d", "e", "f\ng", "h"]
        try Self.archive(box, "d-1", Dictionary(uniqueKeysWithValues: names.map { ("app/" + $0, $0) }))
        try box.write("/opt/app/kept", "operator's")
        let placed = names.map { "/opt/app/" + $0 }
        let plan = InstallPlan(
            steps: names.map { Self.copy("app/" + $0, "/opt/app/" + $0) } + [.retain(destination: "/opt/app/kept")],
            nextCleanup: CleanupRecord(paths: placed))
        let program = InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1")
        let commands = program.lines.map { $0.trimmingCharacters(in: .whitespaces) }
        // a, the backslash name, d and e, the newline name, h: three batches and two escaped records.
        #expect(commands.filter { $0.hasPrefix("t_records ") }.count == 3, "\(program)")
        #expect(commands.filter { $0.hasPrefix("t_record_escaped ") }.count == 2, "\(program)")
        #expect(!commands.contains { $0.hasPrefix("t_record ") }, "\(program)")
        let run = try box.run(program)
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(names.allSatisfy { box.read("/opt/app/" + $0) == $0 })
        #expect(Self.cleanupBytes(box) == plan.nextCleanup.render())
        #expect(CleanupRecord.parse(Self.cleanupBytes(box) ?? []).paths == placed)
    }

    @Test("fresh install: directories, copies, a symlink, a retained file, bookkeeping", .sandboxed)
    func fresh() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try Self.archive(box, "d-1", ["index.html": "<h1>1</h1>", "css/site.css": "body{}", "tool": "#!/bin/sh\n"])
        try box.write("/opt/app/kept.conf", "operator's")
        let plan = InstallPlan(
            steps: [
                .makeDirectory(path: "/opt/app/css"), Self.copy("index.html", "/opt/app/index.html"),
                Self.copy("css/site.css", "/opt/app/css/site.css", mode: 0o600),
                Self.copy("tool", "/opt/app/tool", mode: 0o755),
                .symlink(target: "index.html", destination: "/opt/app/home.html", replaces: .missing),
                .retain(destination: "/opt/app/kept.conf"),
            ],
            nextCleanup: CleanupRecord(paths: [
                "/opt/app/css", "/opt/app/index.html", "/opt/app/css/site.css", "/opt/app/tool", "/opt/app/home.html",
            ]))
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(
            run.steps == ["cleanup:0 ok", "tree:0 ok", "placed:0 ok", "files:6/6 ok", "permissions:0 ok"])
        #expect(box.read("/opt/app/index.html") == "<h1>1</h1>" && box.read("/opt/app/kept.conf") == "operator's")
        #expect(box.stat("/opt/app/css")!.st_mode & 0o7777 == 0o755)
        #expect(box.stat("/opt/app/css/site.css")!.st_mode & 0o7777 == 0o600)
        #expect(box.stat("/opt/app/tool")!.st_mode & 0o7777 == 0o755)
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: box.host("/opt/app/home.html")) == "index.html")
        #expect(Self.cleanupBytes(box) == plan.nextCleanup.render())
        #expect(box.read(Self.layout.lastSuccessfulFile) == Self.layout.deploymentDirectory("d-1"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.host("/opt/app")).filter {
            $0.contains("tarmac-tmp")
        }
        #expect(leftovers.isEmpty)
    }

    @Test("reinstall removes what the new revision dropped and keeps a non-empty directory", .sandboxed)
    func reinstall() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try Self.archive(box, "d-1", ["a": "a1", "b": "b1"])
        let first = InstallPlan(steps: [
            .makeDirectory(path: "/opt/app"), Self.copy("a", "/opt/app/a"), Self.copy("b", "/opt/app/b"),
            .makeDirectory(path: "/opt/app/data"), .makeDirectory(path: "/opt/app/empty"),
        ])
        #expect(try box.run(InstallProgram.render(plan: first, layout: Self.layout, deploymentID: "d-1")).done == 0)
        try box.write("/opt/app/data/hook.log", "written by a hook")
        let request = ProbeRequest(paths: ["/opt/app", "/opt/app/a"])
        let facts = try ProbeProgram.parse(
            box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil)).lines, request: request)
        let previous = try #require(facts.cleanup)
        // Directories are made (and recorded) first, parents before children, then the files.
        #expect(previous.paths == ["/opt/app", "/opt/app/data", "/opt/app/empty", "/opt/app/a", "/opt/app/b"])

        try Self.archive(box, "d-2", ["a": "a2"])
        let second = InstallPlan(
            removals: previous.paths.reversed(),
            steps: [.makeDirectory(path: "/opt/app"), Self.copy("a", "/opt/app/a")])
        let run = try box.run(InstallProgram.render(plan: second, layout: Self.layout, deploymentID: "d-2"))
        #expect(run.done == 0, "\(run.stderr)")
        #expect(box.read("/opt/app/a") == "a2")
        #expect(!box.exists("/opt/app/b") && !box.exists("/opt/app/empty"))
        #expect(box.read("/opt/app/data/hook.log") == "written by a hook")
        // /opt/app survived its removal (not empty), so this install did not create it: not recorded.
        #expect(Self.cleanupBytes(box) == CleanupRecord(paths: ["/opt/app/a"]).render())
        #expect(box.read(Self.layout.lastSuccessfulFile) == Self.layout.deploymentDirectory("d-2"))
    }

    @Test("OVERWRITE replaces a file and a symlink atomically, never writing through the link", .sandboxed)
    func overwrite() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try Self.archive(box, "d-1", ["x": "new x", "l": "new l"])
        try box.write("/opt/app/x", "old x")
        try box.write("/opt/victim", "secret")
        try box.write("/opt/app/s", "a file that becomes a link")
        try shell("ln -s /opt/victim '\(box.host("/opt/app/l"))'")
        let inode = try #require(box.stat("/opt/app/x")).st_ino
        let plan = InstallPlan(steps: [
            Self.copy("x", "/opt/app/x", replaces: .file), Self.copy("l", "/opt/app/l", replaces: .symlink),
            .symlink(target: "x", destination: "/opt/app/s", replaces: .file),
        ])
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 0, "\(run.stderr)")
        #expect(box.read("/opt/app/x") == "new x")
        #expect(box.stat("/opt/app/x")!.st_ino != inode)
        #expect(box.stat("/opt/app/l")!.st_mode & S_IFMT == S_IFREG && box.read("/opt/app/l") == "new l")
        #expect(box.read("/opt/victim") == "secret")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: box.host("/opt/app/s")) == "x")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.host("/opt/app")).sorted() == ["l", "s", "x"])
    }

    @Test("a failed copy leaves its directory untouched, no staging directory, and names the path", .sandboxed)
    func failedCopy() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try Self.archive(box, "d-1", ["ok": "ok"])
        try box.write("/opt/app/x", "old x")
        let inode = try #require(box.stat("/opt/app/x")).st_ino
        let plan = InstallPlan(steps: [
            Self.copy("ok", "/opt/app/ok"), Self.copy("missing", "/opt/app/x", replaces: .file),
        ])
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 1 && run.status == 1)
        #expect(run.steps.last == "copy:1 failed")
        #expect(box.read("/opt/app/x") == "old x" && box.stat("/opt/app/x")!.st_ino == inode)
        // A directory's files are placed together: none of this one's went in, no stage is left.
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.host("/opt/app")).sorted() == ["x"])
        #expect(InstallProgress.read(run.lines, plan: plan).revision == .earlier)
        let problem = try #require(InstallProgram.failure(in: run.lines, plan: plan))
        #expect(problem.path == "/opt/app/x" && problem.message.contains("#1"))
        #expect(run.stderr.contains("/opt/tarmac/g-web/d-1/deployment-archive/missing"))
        #expect(!box.exists(Self.layout.lastSuccessfulFile))
        // The line is written before the copy (§4.8), so the next cleanup removes the failed target too.
        #expect(Self.cleanupBytes(box) == CleanupRecord(paths: ["/opt/app/ok", "/opt/app/x"]).render())
    }

    @Test("golden: rendered install")
    func golden() throws {
        var permission = InstallPlan.PermissionChange(path: "/srv/app/bin/run me")
        permission.owner = "www-data"
        permission.group = "www-data"
        permission.mode = 0o4750
        permission.acl = ["user::rwx", "user:deploy:r-x", "group::r-x", "mask::r-x", "other::---"]
        permission.selinuxType = "httpd_sys_content_t"
        let plan = InstallPlan(
            removals: ["/srv/app/old.txt", "/srv/app"], selinuxRemovals: ["/srv/app/old.txt"],
            steps: [
                .makeDirectory(path: "/srv/app"), .makeDirectory(path: "/srv/app/bin"),
                .copyFile(source: "bin/run me", destination: "/srv/app/bin/run me", mode: 0o755, replaces: .missing),
                .copyFile(source: "it's $(odd)", destination: "/srv/app/it's $(odd)", mode: 0o644, replaces: .file),
                .copyFile(source: "new\nline", destination: "/srv/app/new\nline", mode: 0o644, replaces: .missing),
                .symlink(target: "bin/run me", destination: "/srv/app/run", replaces: .symlink),
                .retain(destination: "/srv/app/local.conf"),
                // A directory new to the host: built whole in a stage, renamed into place.
                .makeDirectory(path: "/srv/tools"), .makeDirectory(path: "/srv/tools/lib"),
                .copyFile(
                    source: "tools/lib/x.sh", destination: "/srv/tools/lib/x.sh", mode: 0o755, replaces: .missing),
                .copyFile(source: "tools/README", destination: "/srv/tools/README", mode: 0o644, replaces: .missing),
                .symlink(target: "lib/x.sh", destination: "/srv/tools/x", replaces: .missing),
            ],
            permissions: [permission])
        let layout = HostLayout(root: "/var/lib/tarmac", groupID: "g-web")
        let recorded = ["/srv/app/bin/run me", "/srv/app/it's $(odd)", "/srv/tools/lib/x.sh"].enumerated().map {
            InstallStatRecord.Entry(path: $1, sha256: String(repeating: "\($0)", count: 64))
        }
        try Golden.check(
            InstallProgram.render(plan: plan, layout: layout, deploymentID: "d-20260101-1", recorded: recorded)
                .description,
            "programs/install.sh")
    }

    @Test("golden: a reinstall, whose directory is built whole unless it survived the removal")
    func goldenReinstall() throws {
        let plan = InstallPlan(
            removals: ["/srv/app/a.txt", "/srv/app/lib", "/srv/app"],
            steps: [
                .makeDirectory(path: "/srv/app"), .makeDirectory(path: "/srv/app/lib"),
                .copyFile(source: "a.txt", destination: "/srv/app/a.txt", mode: 0o644, replaces: .missing),
                .copyFile(source: "lib/b.txt", destination: "/srv/app/lib/b.txt", mode: 0o600, replaces: .missing),
            ])
        let layout = HostLayout(root: "/var/lib/tarmac", groupID: "g-web")
        let text = InstallProgram.render(plan: plan, layout: layout, deploymentID: "d-20260102-1").description
        let files = text.split(separator: "\n", omittingEmptySubsequences: false).drop {
            !$0.hasPrefix("# The previous")
        }
        try Golden.check(files.joined(separator: "\n"), "programs/install-reinstall.sh")
    }

    @Test("progress is recorded once per directory group, not per file")
    func progress() {
        var steps = (0..<1_201).map { InstallProgramTests.copy("f\($0)", "/a/f\($0)") }
        steps.append(InstallProgramTests.copy("g", "/b/g"))
        let plan = InstallPlan(steps: steps)
        #expect(InstallGroup.placements(plan).map(\.members.count) == [1_000, 201, 1])
        let text = InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d").description
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("t_stage_out ") }.count == 3)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("t_put ") }.count == 3)
    }

    @Test("failure(in:) maps indices back to paths")
    func failureMapping() {
        var change = InstallPlan.PermissionChange(path: "/p")
        change.mode = 0o600
        let plan = InstallPlan(removals: ["/r0", "/r1"], steps: [.makeDirectory(path: "/d")], permissions: [change])
        func problem(_ name: String) -> PlanProblem? {
            InstallProgram.failure(
                in: [.step(name: name, status: "failed"), .note("why"), .done(status: 1)], plan: plan)
        }
        #expect(problem("remove:1") == PlanProblem(path: "/r1", message: "why"))
        #expect(problem("mkdir:0")?.path == "/d")
        #expect(problem("chmod:0")?.path == "/p")
        #expect(problem("cleanup-file")?.path == "cleanup-file")
        #expect(
            InstallProgram.failure(in: [.step(name: "files:1/1", status: "ok"), .done(status: 0)], plan: plan) == nil)
    }
}
