import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// The deployment-root check of the lock program: whose root counts as safe (root's, or the
/// deployment user's when that is not root) and how a symlinked root is followed.
@Suite("Root check", .sandboxed)
struct RootCheckTests {
    /// Runs the lock program for `root` inside the sandbox, as `user` (nil: root).
    func lock(_ box: ProgramSandbox, root: String, as user: String? = nil) throws -> ProgramRun {
        let layout = HostLayout(root: root, groupID: "g-web")
        let directory = try TestPaths.temporaryDirectory("rootcheck")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let program = directory + "/lock.sh"
        try LockProgram.acquire(layout: layout, deploymentID: "d-1", runnerPID: 1).description.write(
            toFile: program, atomically: true, encoding: .utf8)
        _ = chmod(directory, 0o755)
        _ = chmod(program, 0o644)
        let run = user.map { "runuser -u \($0) -- /bin/sh \"$2\"" } ?? "/bin/sh \"$2\""
        let result = try runCommand(
            "/usr/bin/unshare",
            ["-m", "/bin/sh", "-c", "mount --bind \"$1\" /opt && \(run)", "sandbox", box.root, program])
        let lines = result.stdout.split(separator: "\n").map(ProgramLine.parse)
        return ProgramRun(lines: lines, status: result.status, stderr: result.stderr)
    }

    @Test func aRootOwnedByTheDeploymentUserIsTheirsAndNoOneElses() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try FileManager.default.createDirectory(atPath: box.host("/opt/deploy"), withIntermediateDirectories: true)
        try shell("chown nobody '\(box.host("/opt/deploy"))'")

        let theirs = try lock(box, root: "/opt/deploy", as: "nobody")
        #expect(theirs.done == 0, "\(theirs.lines) \(theirs.stderr)")
        #expect(box.exists("/opt/deploy/.tarmac-lock/info"))

        let rootRuns = try lock(box, root: "/opt/deploy")
        #expect(rootRuns.done == 1)
        #expect(
            rootRuns.notes.first?.hasPrefix(
                "the deployment root is not safe: /opt/deploy is not owned by root or the deployment user (owner nobody"
            )
                == true, "\(rootRuns.notes)")
    }

    @Test func aSymlinkedRootIsCheckedWhereItLeads() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        for directory in ["/opt/real", "/opt/theirs/tarmac"] {
            try FileManager.default.createDirectory(atPath: box.host(directory), withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: box.host("/opt/link"), withDestinationPath: "/opt/real")
        #expect(try lock(box, root: "/opt/link").done == 0)

        try shell("chown nobody '\(box.host("/opt/theirs"))'")
        try FileManager.default.createSymbolicLink(
            atPath: box.host("/opt/elsewhere"), withDestinationPath: "/opt/theirs/tarmac")
        let refused = try lock(box, root: "/opt/elsewhere")
        #expect(refused.done == 1)
        #expect(
            refused.notes.first?.hasPrefix(
                "the deployment root is not safe: /opt/theirs is not owned by root or the deployment user") == true,
            "\(refused.notes)")
    }

    /// The directories and records go to one `stat` (`t_checks`): missing ones are skipped, and
    /// a bad one among them is still the one named, wherever it is in the list.
    @Test func oneStatForManyPathsStillNamesTheBadOne() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let instructions = "/opt/deploy/deployment-instructions"
        try FileManager.default.createDirectory(atPath: box.host(instructions), withIntermediateDirectories: true)
        // The first record is missing, the second fine, the third writable by others.
        try "fine".write(toFile: box.host(instructions + "/g-web-cleanup"), atomically: true, encoding: .utf8)
        try "planted".write(
            toFile: box.host(instructions + "/g-web_most_recent_install"), atomically: true, encoding: .utf8)
        _ = chmod(box.host(instructions + "/g-web-cleanup"), 0o644)
        _ = chmod(box.host(instructions + "/g-web_most_recent_install"), 0o666)

        let refused = try lock(box, root: "/opt/deploy")
        #expect(refused.done == 1)
        #expect(
            refused.notes.first?.hasPrefix(
                "the deployment root is not safe: \(instructions)/g-web_most_recent_install is writable by other users"
            ) == true, "\(refused.notes)")

        _ = chmod(box.host(instructions + "/g-web_most_recent_install"), 0o644)
        let taken = try lock(box, root: "/opt/deploy")
        #expect(taken.done == 0, "\(taken.lines) \(taken.stderr)")
    }
}
