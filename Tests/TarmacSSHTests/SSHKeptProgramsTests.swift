import Foundation
import TarmacEngine
import TarmacHost
import TarmacTestSupport
import Testing

@testable import TarmacSSH

/// Programs with a `reuseName` over a real sshd: the next one goes as an edit of the text the
/// host keeps, and a host whose kept text is not that one still runs the program exactly once.
@Suite(.needsSSHD, .timeLimit(.minutes(1)))
struct SSHKeptProgramsTests {
    /// A program of many lines (over `keepAbove`, `lines` of them), one of which says its
    /// version; it counts its runs.
    private func program(_ version: Int, runs: String, lines: Int = 4_000) -> ShellScript {
        var script = ShellScript()
        script.reuseName = "g-test.install"
        for index in 0..<lines { script.run(":", .quoted("/opt/app/file-\(index).txt")) }
        script.run(.assignment("v", String(version)))
        script.run("echo", "ran", ">>", .quoted(runs))
        script.run("printf", .quoted("@fact version %s\\n"), "\"$v\"")
        script.run("printf", .quoted("@done 0\\n"))
        return script
    }

    private struct Setup {
        let server: TestSSHServer
        let cache: String
        let runner: String
        let transport: SSHTransport
    }

    private func setup() throws -> Setup {
        let cache = try TestPaths.temporaryDirectory("host-cache")
        let server = try TestSSHServer(extraConfig: "SetEnv XDG_CACHE_HOME=\(cache)")
        let runner = try TestPaths.temporaryDirectory("runner-kept")
        let transport = SSHTransport(
            endpoint: server.endpoint(knownHosts: try server.trustingKnownHosts()),
            environment: ["HOME": "/nonexistent"], kept: KeptPrograms(directory: runner))
        return Setup(server: server, cache: cache, runner: runner, transport: transport)
    }

    private func version(_ outcome: ProgramOutcome) -> String? {
        outcome.lines.compactMap { if case .fact("version", let value) = $0 { value } else { nil } }.first
    }

    @Test func theNextProgramGoesAsAnEdit() async throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(atPath: s.cache) }
        let runs = s.cache + "/runs"
        let first = try await s.transport.run(program(1, runs: runs), onLine: { _ in })
        #expect(version(first) == "1")
        let whole = await s.transport.programBytesSent()
        let second = try await s.transport.run(program(2, runs: runs), onLine: { _ in })
        #expect(version(second) == "2")
        let edit = await s.transport.programBytesSent() - whole
        // The whole text, compressed, against an edit of one line.
        #expect(edit * 4 < whole)
        #expect(edit < 1_500, "edit: \(edit) bytes, whole: \(whole)")
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "ran\nran\n")
        let text = Array((RemoteCommand.prefix + program(2, runs: runs).description).utf8)
        let hostKept = FileManager.default.contents(atPath: s.cache + "/tarmac/programs/g-test.install")
        #expect(hostKept.map { [UInt8]($0) } == text)
        await s.transport.close()
    }

    @Test func aHostThatLostItsTextRunsTheWholeProgramOnce() async throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(atPath: s.cache) }
        let runs = s.cache + "/runs"
        _ = try await s.transport.run(program(1, runs: runs), onLine: { _ in })
        // Someone changed the host's kept text: the edit misses, and the whole program runs.
        let kept = s.cache + "/tarmac/programs/g-test.install"
        try Data("echo '@fact version evil'; printf '@done 0\\n'\n".utf8).write(to: URL(fileURLWithPath: kept))
        let seen = SeenLines()
        let second = try await s.transport.run(program(2, runs: runs), onLine: { seen.add($0) })
        #expect(version(second) == "2")
        #expect(second.lines == seen.lines)
        #expect(!seen.lines.contains(.text(RemoteCommand.missLine)))
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "ran\nran\n")
        // And the third goes as an edit again.
        let before = await s.transport.programBytesSent()
        let third = try await s.transport.run(program(3, runs: runs), onLine: { _ in })
        #expect(version(third) == "3")
        #expect(await s.transport.programBytesSent() - before < 1_500)
        await s.transport.close()
    }

    @Test func smallProgramsAreNotKept() async throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(atPath: s.cache) }
        let small = program(1, runs: s.cache + "/runs", lines: 100)
        #expect(small.description.utf8.count < SSHConnection.keepAbove)
        #expect(version(try await s.transport.run(small, onLine: { _ in })) == "1")
        #expect(!FileManager.default.fileExists(atPath: s.cache + "/tarmac"))
        await s.transport.close()
    }

    @Test func programsWithoutANameGoWhole() async throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(atPath: s.cache) }
        var unnamed = program(1, runs: s.cache + "/runs")
        unnamed.reuseName = nil
        _ = try await s.transport.run(unnamed, onLine: { _ in })
        let first = await s.transport.programBytesSent()
        _ = try await s.transport.run(unnamed, onLine: { _ in })
        #expect(await s.transport.programBytesSent() == 2 * first)
        #expect(!FileManager.default.fileExists(atPath: s.cache + "/tarmac"))
        await s.transport.close()
    }
}
