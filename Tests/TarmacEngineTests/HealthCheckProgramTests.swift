import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// The health check program run by this machine's `sh`: status, output, hostile commands, and a
/// command stopped at its timeout even when a child it left behind still holds its output.
@Suite("Health check program")
struct HealthCheckProgramTests {
    @Test func reportsTheStatusAndOutputOfTheCommand() throws {
        let lines = try run(HealthCheckProgram.render(command: "echo 'status: 503'; echo oops >&2; exit 3", timeout: 5))
        let parsed = try #require(HealthCheckProgram.parse(lines))
        #expect(parsed.status == 3 && parsed.output == "status: 503\noops")
        #expect(lines.last == .done(status: 0))
        let healthy = try #require(
            HealthCheckProgram.parse(try run(HealthCheckProgram.render(command: "true", timeout: 5))))
        #expect(healthy.status == 0 && healthy.output.isEmpty)
    }

    @Test func theCommandIsOneQuotedWord() throws {
        let dir = try TestPaths.temporaryDirectory("health")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let command = "echo \"it's $((1+1))\" > '\(dir)/out'; test -f '\(dir)/out'"
        let parsed = try #require(
            HealthCheckProgram.parse(try run(HealthCheckProgram.render(command: command, timeout: 5))))
        #expect(parsed.status == 0)
        #expect(try String(contentsOfFile: dir + "/out", encoding: .utf8) == "it's 2\n")
    }

    @Test func aHangingCommandStopsAtItsTimeoutEvenWithAChildLeftBehind() throws {
        let started = Date()
        let program = HealthCheckProgram.render(command: "echo starting; sleep 60 & sleep 60", timeout: 1)
        let parsed = try #require(HealthCheckProgram.parse(try run(program)))
        #expect(HealthCheckProgram.timeoutStatuses.contains(parsed.status), "\(parsed)")
        #expect(parsed.output == "starting")
        #expect(Date().timeIntervalSince(started) < 20, "a background child does not hold the program open")
    }

    private func run(_ program: ShellScript) throws -> [ProgramLine] {
        let directory = try TestPaths.temporaryDirectory("health-program")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/program.sh"
        try Data(program.description.utf8).write(to: URL(fileURLWithPath: file))
        let result = try runCommand("/bin/sh", [file], check: true)
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            ProgramLine.parse($0)
        }
    }
}
