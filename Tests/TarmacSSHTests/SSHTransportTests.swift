import Foundation
import TarmacEngine
import TarmacHost
import TarmacTestSupport
import Testing

@testable import TarmacSSH

/// A program from literal shell text (tests only: nothing here comes from data).
func program(_ lines: ShellCommand...) -> ShellScript {
    var script = ShellScript()
    for line in lines { script.run(line) }
    return script
}

/// Lines `onLine` saw, gathered across threads.
final class SeenLines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [ProgramLine] = []
    func add(_ line: ProgramLine) { lock.withLock { storage.append(line) } }
    var lines: [ProgramLine] { lock.withLock { storage } }
}

@Suite(.needsSSHD, .timeLimit(.minutes(1)))
struct SSHTransportTests {
    let environment = ["HOME": "/nonexistent"]

    @Test func runsAProgramAndStreamsItsLines() async throws {
        let server = try TestSSHServer()
        let transport = SSHTransport(
            endpoint: server.endpoint(knownHosts: try server.trustingKnownHosts()),
            environment: environment)
        let seen = SeenLines()
        let outcome = try await transport.run(
            program(["echo '@fact os linux'; echo plain; echo oops >&2; echo 'é@note' ; echo '@done 3'; exit 0"]),
            onLine: { seen.add($0) })
        #expect(outcome.status == 3)
        // A suffix: the login shell's own rc files (root's .bashrc runs pyenv here) may add noise.
        #expect(outcome.stderr.hasSuffix("oops\n"))
        #expect(outcome.lines == [.fact(key: "os", value: "linux"), .text("plain"), .text("é@note"), .done(status: 3)])
        #expect(seen.lines == outcome.lines)
        // The same connection serves the next program.
        let second = try await transport.run(program(["echo '@done 0'"]), onLine: { _ in })
        #expect(second.succeeded)
        await transport.close()
    }

    @Test func aProgramWithoutDoneIsALostTransport() async throws {
        let server = try TestSSHServer()
        let transport = SSHTransport(
            endpoint: server.endpoint(knownHosts: try server.trustingKnownHosts()),
            environment: environment)
        let error = await #expect(throws: TransportError.self) {
            try await transport.run(program(["echo half-way; echo broken >&2; exit 0"]), onLine: { _ in })
        }
        #expect(error?.host == "test-host")
        #expect(error?.message.contains("without reporting completion: broken") == true)
        let killed = await #expect(throws: TransportError.self) {
            try await transport.run(program(["echo '@done 0'; kill -TERM $$"]), onLine: { _ in })
        }
        #expect(killed?.message.contains("killed by signal SIGTERM") == true)
        let killedEarly = await #expect(throws: TransportError.self) {
            try await transport.run(program(["kill -TERM $$; echo '@done 0'"]), onLine: { _ in })
        }
        #expect(killedEarly?.host == "test-host")
    }

    @Test func drainsLargeStdoutAndStderrTogether() async throws {
        let server = try TestSSHServer()
        let transport = SSHTransport(
            endpoint: server.endpoint(knownHosts: try server.trustingKnownHosts()),
            environment: environment)
        let outcome = try await transport.run(
            program([
                "head -c 5000000 /dev/zero | tr '\\0' e >&2; head -c 3000000 /dev/zero | tr '\\0' o | fold -w 99; echo; echo '@done 0'"
            ]), onLine: { _ in })
        #expect(outcome.succeeded)
        #expect(outcome.lines.count == 3_000_000 / 99 + 2)
        #expect(outcome.stderr.hasPrefix("eeee"))
        #expect(outcome.stderr.hasSuffix("[3951424 more bytes of stderr not kept]\n"))
    }

    @Test func streamsAnInputFileAfterTheProgram() async throws {
        let server = try TestSSHServer()
        let path = server.directory + "/input.bin"
        try runCommand("/bin/sh", ["-c", "head -c 20000000 /dev/urandom > '\(path)'"], check: true)
        let expected = try runCommand("/usr/bin/sha256sum", [path], check: true).stdout.prefix(64)
        let transport = SSHTransport(
            endpoint: server.endpoint(knownHosts: try server.trustingKnownHosts()),
            environment: environment)
        let outcome = try await transport.run(
            program(
                ["sum=$(head -c 20000000 | sha256sum | cut -c1-64)"], ["echo \"@fact sha256 $sum\""], ["echo '@done 0'"]
            ),
            input: ProgramInput(path: path, byteCount: 20_000_000), onLine: { _ in })
        #expect(outcome.lines.first == .fact(key: "sha256", value: String(expected)))
        // A program that ignores its input still ends cleanly.
        let ignoring = try await transport.run(
            program(["echo '@done 0'"]), input: ProgramInput(path: path, byteCount: 20_000_000), onLine: { _ in })
        #expect(ignoring.succeeded)
    }
}
