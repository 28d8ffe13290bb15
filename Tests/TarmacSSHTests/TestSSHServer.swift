import Foundation
import TarmacSSH
import TarmacTestSupport
import Testing

/// Why real-server tests cannot run here (they start `/usr/sbin/sshd` as root), or nil.
let sshdMissing: String? =
    Requirement.root(for: "starting sshd")
    ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
        ? nil : "needs /usr/sbin/sshd (apt-get install openssh-server)")

extension Trait where Self == ConditionTrait {
    /// Runs the suite where sshd can be started; elsewhere skips it saying why, or with
    /// `TARMAC_REQUIRE_FLEET=1` runs it so that `TestSSHServer()` fails each test.
    static var needsSSHD: Self { Requirement.trait { sshdMissing } }
}

/// A real `sshd -D -e` on 127.0.0.1 and a free port, with host and client keys made for this
/// run in a temporary directory; killed when released.
final class TestSSHServer {
    let directory: String
    let port: Int
    private var pid: pid_t = 0

    /// Starts the server; `extraConfig` lines are appended to its sshd_config.
    init(extraConfig: String = "") throws {
        try Requirement.check(sshdMissing)
        directory = try TestPaths.temporaryDirectory("sshd")
        port = try Self.freePort()
        for type in ["ed25519", "ecdsa"] {
            try keygen("-t", type, "-f", directory + "/host_" + type)
        }
        try keygen("-t", "ed25519", "-f", directory + "/client_ed25519")
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try config(extraConfig).write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: authorizedKeys, contents: nil)
        try authorize(directory + "/client_ed25519.pub")
        pid = try spawn(["/usr/sbin/sshd", "-D", "-e", "-f", directory + "/sshd_config"], log: directory + "/sshd.log")
        try waitForBanner()
    }

    deinit {
        if pid > 0 {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Generates a key without a passphrase unless one is given.
    func keygen(_ arguments: String..., passphrase: String = "") throws {
        try runCommand("/usr/bin/ssh-keygen", ["-q", "-N", passphrase] + arguments, check: true)
    }

    /// Adds a public key to the server's authorized_keys.
    func authorize(_ publicKeyPath: String) throws {
        let key = try String(contentsOfFile: publicKeyPath, encoding: .utf8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: authorizedKeys))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(key.utf8))
    }

    var authorizedKeys: String { directory + "/authorized_keys" }

    /// The server's host key of `type` (`ed25519` or `ecdsa`).
    func hostKey(_ type: String) throws -> HostKey {
        let text = try String(contentsOfFile: directory + "/host_\(type).pub", encoding: .utf8)
        let base64 = String(text.split(separator: " ")[1])
        return HostKey(blob: [UInt8](Data(base64Encoded: base64)!))!
    }

    /// Writes a known_hosts file with `lines` and returns its path.
    func knownHosts(_ lines: [String], name: String = "known_hosts") throws -> String {
        let path = directory + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A known_hosts file trusting the server's ed25519 and ecdsa keys.
    func trustingKnownHosts() throws -> String {
        try knownHosts(
            ["ed25519", "ecdsa"].map { KnownHosts.line(for: try hostKey($0), host: "127.0.0.1", port: port) })
    }

    /// An endpoint for this server logging in as root.
    func endpoint(
        knownHosts: String, identity: String? = nil, ioTimeout: Duration = .seconds(10)
    ) -> SSHEndpoint {
        SSHEndpoint(
            name: "test-host", address: "127.0.0.1", port: port, user: "root",
            identity: identity ?? directory + "/client_ed25519", knownHosts: knownHosts, ioTimeout: ioTimeout,
            group: "test")
    }

    private func config(_ extra: String) -> String {
        """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(directory)/host_ed25519
        HostKey \(directory)/host_ecdsa
        AuthorizedKeysFile \(authorizedKeys)
        PidFile \(directory)/sshd.pid
        UsePAM no
        StrictModes no
        PermitRootLogin prohibit-password
        MaxStartups 100
        LogLevel VERBOSE
        \(extra)

        """
    }

    private func waitForBanner() throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let banner = Self.readBanner(port: port), banner.hasPrefix("SSH-2.0-") { return }
            usleep(20_000)
        }
        let log = (try? String(contentsOfFile: directory + "/sshd.log", encoding: .utf8)) ?? ""
        throw ServerDidNotStart(log: log)
    }

    private static func readBanner(port: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }
}

/// sshd never sent its banner.
struct ServerDidNotStart: Error, CustomStringConvertible {
    var log: String
    var description: String { "sshd sent no banner; its log:\n" + log }
}
