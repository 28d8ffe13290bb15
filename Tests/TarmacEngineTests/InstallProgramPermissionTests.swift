import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

@Suite("Install program: permissions and odd names")
struct InstallProgramPermissionTests {
    static let layout = InstallProgramTests.layout

    @Test("chown to a user made now, then chmod 4755 survives, setfacl, chgrp; links are skipped", .sandboxed)
    func permissions() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let suffix = String(UInt32.random(in: 10_000...99_999))
        let user = "tarmacu\(suffix)"
        let group = "tarmacg\(suffix)"
        try shell("groupadd \(group) && useradd -M -N -g \(group) -s /usr/sbin/nologin \(user)")
        defer { _ = try? shell("userdel \(user); groupdel \(group)") }
        let uid = UInt32(try shell("id -u \(user)").trimmingCharacters(in: .whitespacesAndNewlines))!
        let gid = UInt32(
            try shell("getent group \(group) | cut -d: -f3").trimmingCharacters(in: .whitespacesAndNewlines))!
        try InstallProgramTests.archive(box, "d-1", ["tool": "#!/bin/sh\n", "conf": "k=v\n"])
        var tool = InstallPlan.PermissionChange(path: "/opt/app/tool")
        tool.owner = user
        tool.group = group
        tool.mode = 0o4755
        var conf = InstallPlan.PermissionChange(path: "/opt/app/conf")
        conf.group = group
        conf.mode = 0o640
        conf.acl = ["user::rw-", "user:\(user):r--", "group::r--", "mask::r--", "other::---"]
        var link = InstallPlan.PermissionChange(path: "/opt/app/link")
        link.mode = 0o777
        let plan = InstallPlan(
            steps: [
                .makeDirectory(path: "/opt/app"), InstallProgramTests.copy("tool", "/opt/app/tool"),
                InstallProgramTests.copy("conf", "/opt/app/conf"),
                .symlink(target: "/opt/app/conf", destination: "/opt/app/link", replaces: .missing),
            ],
            permissions: [tool, conf, link])
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        let toolStat = try #require(box.stat("/opt/app/tool"))
        #expect(toolStat.st_uid == uid && toolStat.st_gid == gid && toolStat.st_mode & 0o7777 == 0o4755)
        let confStat = try #require(box.stat("/opt/app/conf"))
        #expect(confStat.st_uid == 0 && confStat.st_gid == gid)
        let acl = try shell("getfacl -c '\(box.host("/opt/app/conf"))'")
        #expect(acl.contains("user:\(user):r--") && acl.contains("other::---") && acl.contains("mask::r--"))
        #expect(box.stat("/opt/app/conf")!.st_mode & 0o777 == 0o640)
        #expect(run.notes.contains { $0.contains("#2") && $0.contains("symlink") })
    }

    @Test("odd names survive probe, install, cleanup record and removal", .sandboxed)
    func oddNames() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let names = [
            "sp ace", "quo'te", "$(touch pwned)", "new\nline", "nön-äscii ✓", "back\\slash", "-dash", "`id`;*",
        ]
        try InstallProgramTests.archive(box, "d-1", Dictionary(uniqueKeysWithValues: names.map { ("odd/" + $0, $0) }))
        let targets = names.map { "/opt/app/odd dir/" + $0 }
        let request = ProbeRequest(paths: ["/opt/app", "/opt/app/odd dir"] + targets)
        let before = try ProbeProgram.parse(
            box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil)).lines, request: request)
        #expect(request.paths.allSatisfy { before.kind(of: $0) == .missing })

        let plan = InstallPlan(
            steps: [.makeDirectory(path: "/opt/app"), .makeDirectory(path: "/opt/app/odd dir")]
                + names.map { InstallProgramTests.copy("odd/" + $0, "/opt/app/odd dir/" + $0) })
        let run = try box.run(InstallProgram.render(plan: plan, layout: Self.layout, deploymentID: "d-1"))
        #expect(run.done == 0, "\(run.stderr)")
        for name in names { #expect(box.read("/opt/app/odd dir/" + name) == name) }
        #expect(!box.exists("/opt/pwned"))

        let after = try ProbeProgram.parse(
            box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil)).lines, request: request)
        #expect(targets.allSatisfy { after.kind(of: $0) == .file })
        let record = try #require(after.cleanup)
        #expect(record.paths == ["/opt/app", "/opt/app/odd dir"] + targets)

        let removal = InstallPlan(removals: record.paths.reversed())
        let removed = try box.run(InstallProgram.render(plan: removal, layout: Self.layout, deploymentID: "d-2"))
        #expect(removed.done == 0, "\(removed.stderr)")
        #expect(!box.exists("/opt/app"))
        #expect(InstallProgramTests.cleanupBytes(box) == [])
    }
}
