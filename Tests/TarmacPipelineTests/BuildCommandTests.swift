import Foundation
import TarmacCore
import TarmacPipeline
import TarmacTestSupport
import Testing

@Suite("build: commands in a clean export")
struct BuildCommandTests {
    /// How long a stopped process may take to be reaped, against sleeps of about 290 s: generous,
    /// because under `swift test` the cooperative pool is shared with suites that block their
    /// threads on whole deployments. Never a measure of speed: the marks above say what ran.
    static let prompt: Double = 120
    @Test func aFailingCommandStopsTheBuildAndIsNamed() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let result = try await fixture.stage(["echo one", "exit 3", "touch third-ran"]).run { _ in }
        defer { try? result.workspace.cleanup() }
        #expect(!result.succeeded)
        #expect(result.commands.count == 2)
        let failure = try #require(result.failure)
        #expect(failure.index == 1 && failure.command == "exit 3" && failure.status == .exited(3))
        #expect(!failure.timedOut)
        #expect("\(failure)" == "command 2 of 3 `exit 3` exited 3")
        #expect(result.outputDirectory == nil)
        #expect(FileManager.default.fileExists(atPath: result.workspace.sourceDirectory + "/build.sh"))
        #expect(!FileManager.default.fileExists(atPath: result.workspace.sourceDirectory + "/third-ran"))
    }

    @Test func overTheLimitTheWholeProcessGroupIsStopped() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let seconds = uniqueSleep()
        let log = LineLog()
        // Each sleep leaves a mark if it ends on its own: stopped, it never does.
        let marks = try TestPaths.temporaryDirectory("build-mark")
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let mark = marks + "/slept"
        let result = try await fixture.stage(
            ["(sleep \(seconds); touch \(mark)) & echo started; sleep \(seconds); touch \(mark)"], timeout: 1
        ).run(onLine: log.append)
        defer { try? result.workspace.cleanup() }
        #expect(!FileManager.default.fileExists(atPath: mark), "the command ran to its end")
        let failure = try #require(result.failure)
        #expect(failure.timedOut)
        #expect(failure.status == .signaled(SIGTERM))
        #expect("\(failure)".hasSuffix("timed out after 1 s and was stopped"))
        #expect(log.texts(.stdout) == ["started"])
        #expect(try await eventually(within: Self.prompt) { try !processExists("sleep \(seconds)") })
    }

    @Test func whatACommandLeavesRunningDiesWithIt() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let seconds = uniqueSleep()
        // The job leaves a mark if it ends on its own; a runner that waited for it (for the
        // pipes it holds) would return only after that.
        let marks = try TestPaths.temporaryDirectory("build-mark")
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let mark = marks + "/slept"
        let result = try await fixture.stage(["(sleep \(seconds); touch \(mark)) & echo left"]).run { _ in }
        defer { try? result.workspace.cleanup() }
        #expect(!FileManager.default.fileExists(atPath: mark), "a background job holding the pipes is waited for")
        #expect(result.succeeded)
        #expect(try await eventually(within: Self.prompt) { try !processExists("sleep \(seconds)") })
    }

    /// That the commands get none of tarmac's own `GIT_*` variables is tested through the binary
    /// (PipelineTests), whose environment is its own: this process's is shared with other suites.
    @Test func linesArriveInOrderTaggedAndWithTheGivenVariables() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let log = LineLog()
        let commands = [
            "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf 'no newline'",
            "env | grep ^GIT_ || echo no-git; echo \"$TARMAC_COMMIT\"; cat site/index.html",
        ]
        let result = try await fixture.stage(commands, environment: ["TARMAC_COMMIT": fixture.commit])
            .run(onLine: log.append)
        defer { try? result.workspace.cleanup() }
        #expect(result.succeeded)
        #expect(log.texts(.stdout) == ["out1", "out2", "no newline"])
        #expect(log.texts(.stderr) == ["err1", "err2"])
        #expect(log.texts(.stdout, command: 1) == ["no-git", fixture.commit, "<p>SOURCE</p>"])
        #expect(log.texts(.stderr, command: 1) == [])
    }

    @Test func cleanupRemovesTheWorkspaceReadOnlyDirectoriesToo() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let command = "mkdir -p cache/mod/sub && touch cache/mod/sub/f && ln -s / cache/root && chmod -R a-w cache"
        let result = try await fixture.stage([command]).run { _ in }
        let path = result.workspace.path
        #expect(result.succeeded)
        #expect(result.outputDirectory == path + "/src")
        #expect((path as NSString).lastPathComponent.hasPrefix("tarmac-build-"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        try result.workspace.cleanup()
        #expect(!FileManager.default.fileExists(atPath: path))
        try result.workspace.cleanup()
    }

    @Test func cancellingStopsTheCommandAndRemovesTheWorkspace() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let seconds = uniqueSleep()
        let log = LineLog()
        let marks = try TestPaths.temporaryDirectory("build-mark")
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let mark = marks + "/slept"
        let stage = fixture.stage(["pwd; (sleep \(seconds); touch \(mark)) & sleep \(seconds); touch \(mark)"])
        let task = Task { try await stage.run(onLine: log.append) }
        #expect(
            try await eventually(within: Self.prompt) { try !log.lines.isEmpty && processExists("sleep \(seconds)") })
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!FileManager.default.fileExists(atPath: mark), "the command ran to its end")
        #expect(try await eventually(within: Self.prompt) { try !processExists("sleep \(seconds)") })
        let directory = try #require(log.texts(.stdout).first)
        #expect(!FileManager.default.fileExists(atPath: (directory as NSString).deletingLastPathComponent))
    }

    @Test func anUnknownCommitFailsTheSetup() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let stage = BuildStage(
            repository: fixture.repository, commit: String(repeating: "0", count: 40),
            build: Pipeline.Build(commands: ["true"]))
        await #expect(throws: BuildError.self) { try await stage.run { _ in } }
    }
}
