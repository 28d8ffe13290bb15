import Foundation
import TarmacEngine
import TarmacHost
import TarmacTestSupport
import Testing

@testable import TarmacSSH

@Suite(.needsSSHD, .timeLimit(.minutes(1)))
struct SSHHostKeyTests {
    let environment = ["HOME": "/nonexistent"]

    /// Runs a program that leaves a mark on the server, to prove whether anything ran.
    func touch(_ server: TestSSHServer, knownHosts: String) async throws -> ProgramOutcome {
        let transport = SSHTransport(endpoint: server.endpoint(knownHosts: knownHosts), environment: environment)
        return try await transport.run(
            program(["touch", .quoted(server.directory + "/ran"), "; echo '@done 0'"]), onLine: { _ in })
    }

    @Test func unknownHostKeyIsRefusedWithItsFingerprint() async throws {
        let server = try TestSSHServer()
        let key = try server.hostKey("ed25519")
        let error = await #expect(throws: TransportError.self) {
            try await touch(server, knownHosts: server.directory + "/missing_known_hosts")
        }
        #expect(error?.message.contains(key.fingerprint) == true)
        #expect(error?.message.contains("tarmac hosts trust test") == true)
        #expect(!FileManager.default.fileExists(atPath: server.directory + "/ran"))
    }

    @Test func changedHostKeyNamesTheLineAndBothFingerprints() async throws {
        let server = try TestSSHServer()
        let other = HostKey(type: "ssh-ed25519", blob: KnownHostsTests.blob("ssh-ed25519", fill: 9))
        let path = try server.knownHosts(["# first", KnownHosts.line(for: other, host: "127.0.0.1", port: server.port)])
        let error = await #expect(throws: TransportError.self) { try await touch(server, knownHosts: path) }
        #expect(error?.message.contains("\(path):2") == true)
        #expect(error?.message.contains(other.fingerprint) == true)
        #expect(error?.message.contains(try server.hostKey("ed25519").fingerprint) == true)
        #expect(!FileManager.default.fileExists(atPath: server.directory + "/ran"))
    }

    @Test func ed25519OnlyAndHashedKnownHostsWork() async throws {
        let server = try TestSSHServer()
        let plain = try server.knownHosts(
            [KnownHosts.line(for: try server.hostKey("ed25519"), host: "127.0.0.1", port: server.port)])
        #expect(try await touch(server, knownHosts: plain).succeeded)
        let hashed = try server.knownHosts(
            [KnownHosts.line(for: try server.hostKey("ecdsa"), host: "127.0.0.1", port: server.port)], name: "hashed")
        try runCommand("/usr/bin/ssh-keygen", ["-q", "-H", "-f", hashed], check: true)
        // A bad line costs only itself, not the whole file (libssh2's parser would load nothing).
        let text = try String(contentsOfFile: hashed, encoding: .utf8)
        try ("garbage line\n" + text).write(toFile: hashed, atomically: true, encoding: .utf8)
        #expect(try await touch(server, knownHosts: hashed).succeeded)
    }

    @Test func fetchesTheHostKeyWithoutAuthenticating() async throws {
        let server = try TestSSHServer()
        let endpoint = server.endpoint(knownHosts: server.directory + "/none")
        let key = try await SSHTransport.hostKey(of: endpoint)
        #expect(key == (try server.hostKey("ed25519")))
    }

    @Test func aServerThatNeverSendsABannerTimesOut() async throws {
        let listener = try SilentListener()
        let endpoint = SSHEndpoint(
            name: "silent", address: "127.0.0.1", port: listener.port, user: "root", knownHosts: "/dev/null",
            ioTimeout: .seconds(1))
        let started = ContinuousClock.now
        let error = await #expect(throws: TransportError.self) {
            try await SSHTransport(endpoint: endpoint, environment: [:]).run(program(["true"]), onLine: { _ in })
        }
        #expect(error?.host == "silent")
        // Bounded, not fast: without the I/O timeout this would wait forever (libssh2's default);
        // the margin is for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
