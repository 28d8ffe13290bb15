import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// A kept file (`InstallPlannerKeep`) is checked, not trusted: whatever happens to it, or to
/// its directory, between the probe and Install makes Install fail before it changes
/// anything, and a planted link is never followed.
@Suite("Hostile install: kept files")
struct HostileInstallKeepTests {
    static let layout = InstallProgramTests.layout
    static let previous = CleanupRecord(paths: ["/opt/app", "/opt/app/a.txt", "/opt/app/old.txt"])

    /// `stat` as the probe prints it, of a sandbox path seen from outside (a bind mount keeps
    /// device and inode).
    static func probed(_ box: ProgramSandbox, _ path: String) throws -> String {
        let result = try runCommand("/usr/bin/stat", ["-c", PathStat.format, "--", box.host(path)])
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    /// A host with the previous install in place, and the plan that keeps /opt/app/a.txt.
    static func setUp(_ box: ProgramSandbox) throws -> InstallPlan {
        try InstallProgramTests.archive(box, "d-2", ["a.txt": "same\n"])
        try box.write("/opt/app/a.txt", "same\n")
        try box.write("/opt/app/old.txt", "dropped\n")
        chmod(box.host("/opt/app"), 0o755)
        try box.write(layout.cleanupFile, String(decoding: previous.render(), as: UTF8.self), mode: 0o600)
        return InstallPlan(
            removals: ["/opt/app/old.txt"],
            steps: [
                .keepDirectory(path: "/opt/app", stat: try probed(box, "/opt/app")),
                .keepFile(destination: "/opt/app/a.txt", stat: try probed(box, "/opt/app/a.txt")),
            ],
            nextCleanup: CleanupRecord(paths: ["/opt/app", "/opt/app/a.txt"]))
    }

    static func render(_ plan: InstallPlan) -> ShellScript {
        InstallProgram.render(plan: plan, layout: layout, deploymentID: "d-2")
    }

    @Test("a kept file is neither rewritten nor removed, and recorded", .sandboxed)
    func kept() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let plan = try Self.setUp(box)
        let before = try Self.probed(box, "/opt/app/a.txt")
        let run = try box.run(Self.render(plan))
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(try Self.probed(box, "/opt/app/a.txt") == before, "same inode, same change time")
        #expect(!box.exists("/opt/app/old.txt"))
        #expect(InstallProgramTests.cleanupBytes(box) == plan.nextCleanup.render())
    }

    /// What another user (or anything) might do between the probe and Install.
    @Test(
        "a kept path changed after the probe fails Install with nothing changed", .sandboxed,
        arguments: ["rewritten", "replaced", "symlinked", "hard-linked", "chmodded", "directory swapped"])
    func changedSinceProbe(_ attack: String) throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let plan = try Self.setUp(box)
        let file = box.host("/opt/app/a.txt")
        switch attack {
        case "rewritten": try "SAME\n".write(toFile: file, atomically: false, encoding: .utf8)
        case "replaced": try "same\n".write(toFile: file, atomically: true, encoding: .utf8)
        case "symlinked":
            try FileManager.default.removeItem(atPath: file)
            try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/etc/passwd")
        case "hard-linked": link(file, box.host("/opt/stolen"))
        case "chmodded": chmod(file, 0o666)
        default:
            try FileManager.default.moveItem(atPath: box.host("/opt/app"), toPath: box.host("/opt/app-was"))
            try box.write("/opt/app/a.txt", "same\n")
            try box.write("/opt/app/old.txt", "dropped\n")
        }
        let run = try box.run(Self.render(plan))
        #expect(run.done != 0, "\(attack): \(run.lines)")
        #expect(run.steps.contains { $0.hasPrefix("keep:") && $0.hasSuffix(" failed") }, "\(attack): \(run.steps)")
        #expect(box.exists("/opt/app/old.txt"), "\(attack): nothing was removed")
        #expect(InstallProgramTests.cleanupBytes(box) == Self.previous.render(), "\(attack): the record is untouched")
        if attack == "symlinked" {
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: file) == "/etc/passwd")
        }
    }
}
