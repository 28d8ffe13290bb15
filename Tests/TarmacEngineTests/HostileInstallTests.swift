import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// Install against a local non-root user who can write a destination directory (issue 11,
/// items 3, 4 and 7). The user is real: a passwd entry bound over /etc/passwd inside the
/// sandbox's mount namespace, and processes running with its uid (`setpriv`). Their links
/// point at a root-owned sentinel outside the destinations; whatever happens, the sentinel
/// and its directory must be unchanged.
@Suite("Hostile install: links planted by a local user", .serialized)
struct HostileInstallTests {
    static let layout = InstallProgramTests.layout
    static let attacker = 4242

    /// A sandbox whose /opt/www belongs to the attacker and whose /opt/outside holds a
    /// root-owned sentinel file.
    static func sandbox() throws -> ProgramSandbox {
        let box = try ProgramSandbox()
        try shell("chmod 0755 '\(box.root)'")
        try box.write("/opt/outside/sentinel", "sentinel\n")
        try FileManager.default.createDirectory(atPath: box.host("/opt/www"), withIntermediateDirectories: true)
        try shell("chown \(attacker):\(attacker) '\(box.host("/opt/www"))'")
        return box
    }

    /// The sentinel's directory is as it was: one file, same bytes.
    static func expectOutsideUnchanged(_ box: ProgramSandbox, _ comment: Comment? = nil) throws {
        let entries = try FileManager.default.contentsOfDirectory(atPath: box.host("/opt/outside"))
        #expect(entries == ["sentinel"], comment)
        #expect(box.read("/opt/outside/sentinel") == "sentinel\n", comment)
    }

    static func link(_ box: ProgramSandbox, _ path: String, to target: String) throws {
        try shell("ln -s '\(target)' '\(box.host(path))' && chown -h \(attacker):\(attacker) '\(box.host(path))'")
    }

    @Test("a link planted at a file's name is replaced, never written through", .sandboxed)
    func linkAtFileName() throws {
        let box = try Self.sandbox()
        defer { box.remove() }
        try InstallProgramTests.archive(box, "d-1", ["a": "new a", "b": "new b"])
        try Self.link(box, "/opt/www/a", to: "/opt/outside/sentinel")
        try Self.link(box, "/opt/www/b", to: "/opt/outside/created")
        let plan = InstallPlan(steps: [
            InstallProgramTests.copy("a", "/opt/www/a", replaces: .symlink),
            InstallProgramTests.copy("b", "/opt/www/b", mode: 0o600, replaces: .symlink),
        ])
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(box.stat("/opt/www/a")!.st_mode & S_IFMT == S_IFREG && box.read("/opt/www/a") == "new a")
        #expect(box.stat("/opt/www/b")!.st_mode & 0o7777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.host("/opt/www")).sorted() == ["a", "b"])
        try Self.expectOutsideUnchanged(box)
    }

    @Test("a link where a directory must go fails the host, never followed", .sandboxed)
    func linkAtDirectoryName() throws {
        let box = try Self.sandbox()
        defer { box.remove() }
        try InstallProgramTests.archive(box, "d-1", ["x": "x"])
        try Self.link(box, "/opt/www/sub", to: "/opt/outside")
        let plan = InstallPlan(steps: [
            .makeDirectory(path: "/opt/www/sub"), InstallProgramTests.copy("x", "/opt/www/sub/x"),
        ])
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 1)
        #expect(run.steps.last == "mkdir:0 failed")
        #expect(run.notes.last?.contains("a symlink is where directory #0 must go") == true, "\(run.notes)")
        try Self.expectOutsideUnchanged(box)
    }

    @Test("a link on the way to an existing directory fails the host, never followed", .sandboxed)
    func linkAboveTarget() throws {
        let box = try Self.sandbox()
        defer { box.remove() }
        try InstallProgramTests.archive(box, "d-1", ["sentinel": "overwritten"])
        try Self.link(box, "/opt/www/sub", to: "/opt/outside")
        let plan = InstallPlan(steps: [InstallProgramTests.copy("sentinel", "/opt/www/sub/sentinel", replaces: .file)])
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 1)
        #expect(run.steps.last == "copy:0 failed")
        #expect(run.notes.last?.contains("passes a symlink") == true, "\(run.notes)")
        try Self.expectOutsideUnchanged(box)
        #expect(InstallProgress.read(run.lines, plan: plan).revision == .earlier)
    }

    @Test("cleanup does not follow an installed directory replaced by a link (item 4)", .sandboxed)
    func cleanupThroughLink() throws {
        let box = try Self.sandbox()
        defer { box.remove() }
        try InstallProgramTests.archive(box, "d-1", ["a": "a", "sentinel": "s"])
        let first = InstallPlan(steps: [
            .makeDirectory(path: "/opt/www/sub"), InstallProgramTests.copy("a", "/opt/www/sub/a"),
            InstallProgramTests.copy("sentinel", "/opt/www/sub/sentinel"),
        ])
        let one = try box.run(InstallProgram.render(plan: first, layout: Self.layout, deploymentID: "d-1"))
        #expect(one.done == 0, "\(one.stderr)")
        try box.write("/opt/outside/a", "operator's a\n")
        // The attacker owns /opt/www: they move the installed directory away and plant a link.
        try shell(
            "setpriv --reuid=\(Self.attacker) --regid=\(Self.attacker) --clear-groups -- sh -c "
                + "'mv /opt/www/sub /opt/www/moved && ln -s /opt/outside /opt/www/sub' 2>&1 || true",
            namespace: box)
        #expect(box.stat("/opt/www/sub")!.st_mode & S_IFMT == S_IFLNK)
        let second = InstallPlan(removals: ["/opt/www/sub/sentinel", "/opt/www/sub/a", "/opt/www/sub"])
        let two = try box.run(InstallProgram.render(plan: second, layout: Self.layout, deploymentID: "d-2"))
        #expect(two.done == 0, "\(two.stderr)")
        #expect(two.notes.contains { $0.contains("never follows it") }, "\(two.notes)")
        #expect(box.read("/opt/outside/a") == "operator's a\n" && box.read("/opt/outside/sentinel") == "sentinel\n")
        #expect(!box.exists("/opt/www/sub"), "the planted link itself is removed")
        #expect(InstallProgress.read(two.lines, plan: second).removed == 3)
    }

    @Test("a failed Install records which files it removed and placed (item 7)", .sandboxed)
    func partialProgress() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try InstallProgramTests.archive(box, "d-2", ["a": "a2", "b": "b2", "c": "c2"])
        try box.write("/opt/app/old", "old")
        try FileManager.default.createDirectory(atPath: box.host("/opt/ro"), withIntermediateDirectories: true)
        let plan = InstallPlan(
            removals: ["/opt/app/old"],
            steps: [
                InstallProgramTests.copy("a", "/opt/app/a"), InstallProgramTests.copy("b", "/opt/app/b"),
                InstallProgramTests.copy("c", "/opt/ro/c"),
            ])
        let run = try box.run(
            InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-2"),
            prepare: "mount --bind /opt/ro /opt/ro && mount -o remount,bind,ro /opt/ro")
        #expect(run.done == 1 && run.steps.last == "copy:2 failed", "\(run.lines)")
        let progress = InstallProgress.read(run.lines, plan: plan)
        #expect(progress.revision == .mixed)
        #expect(progress.removed == 1 && progress.removalsPlanned == 1)
        #expect(progress.placed == ["/opt/app/a", "/opt/app/b"] && progress.unplaced == ["/opt/ro/c"])
        #expect(progress.summary().contains("placed 2 of the new revision's 3 files"), "\(progress.summary())")
        #expect(box.read("/opt/app/a") == "a2" && !box.exists("/opt/app/old"))
    }

    @Test("progress lines: groups, members of a failed group, and nothing for a run that changed nothing")
    func progressLines() {
        let plan = InstallPlan(
            removals: ["/x/1", "/x/2", "/y/3"],
            steps: [
                .makeDirectory(path: "/n"), InstallProgramTests.copy("a", "/n/a"),
                InstallProgramTests.copy("b", "/n/b"),
                .retain(destination: "/n/k"), InstallProgramTests.copy("c", "/m/c"),
            ])
        let lines: [ProgramLine] = [
            .step(name: "removed:0", status: "ok"), .step(name: "gone:1.0", status: "ok"),
            .step(name: "made:0", status: "ok"), .step(name: "put:0.1", status: "ok"),
            .step(name: "copy:1", status: "failed"), .done(status: 1),
        ]
        let progress = InstallProgress.read(lines, plan: plan)
        #expect(progress.removed == 3 && progress.made == 1)
        #expect(progress.placed == ["/n/b"] && progress.unplaced == ["/n/a", "/m/c"])
        #expect(progress.revision == .mixed)
        let nothing = InstallProgress.read([.step(name: "cleanup-file", status: "failed")], plan: plan)
        #expect(nothing.revision == .earlier && nothing.unplaced.count == 3)
        #expect(nothing.summary().contains("failed before changing any"))
        // A reinstall whose directory survived: its fallback groups are named `tree-group`.
        let again = InstallPlan(
            removals: ["/r/x", "/r"],
            steps: [
                .makeDirectory(path: "/r"), InstallProgramTests.copy("x", "/r/x"),
                InstallProgramTests.copy("y", "/r/y"),
            ])
        let fallback = InstallProgress.read(
            [
                .step(name: "removed:0", status: "ok"), .step(name: "removed:1", status: "ok"),
                .step(name: "made:0-0", status: "ok"), .step(name: "put:0-0.1", status: "ok"),
            ],
            plan: again)
        #expect(fallback.placed == ["/r/y"] && fallback.unplaced == ["/r/x"] && fallback.removed == 2)
        let whole = InstallProgress.read([.step(name: "tree:0", status: "ok")], plan: again)
        #expect(whole.placed == ["/r/x", "/r/y"] && whole.made == 1)
        let limited = InstallProgress(
            removed: 1, removalsPlanned: 2, made: 0, placed: (0..<9).map { "/p/\($0)" }, unplaced: ["/u"])
        #expect(limited.summary(limit: 2).contains("placed: \"/p/0\", \"/p/1\" and 7 more; not placed: \"/u\""))
    }
}

/// Runs `command` with `sh` inside a mount namespace where `box.root` is /opt.
func shell(_ command: String, namespace box: ProgramSandbox) throws {
    let driver = "mount --bind \"$1\" /opt && exec /bin/sh -c \"$2\""
    _ = try runCommand("/usr/bin/unshare", ["-m", "/bin/sh", "-c", driver, "sandbox", box.root, command], check: true)
}
