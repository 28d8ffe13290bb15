import Foundation
import TarmacTestSupport
import Testing

@testable import TarmacSSH

@Suite struct KnownHostsTests {
    // Two made-up ed25519 keys (the blob is what matters, not whether the point is valid).
    static let keyA = HostKey(type: "ssh-ed25519", blob: blob("ssh-ed25519", fill: 1))
    static let keyB = HostKey(type: "ssh-ed25519", blob: blob("ssh-ed25519", fill: 2))
    static let ecdsa = HostKey(type: "ecdsa-sha2-nistp256", blob: blob("ecdsa-sha2-nistp256", fill: 3))

    static func blob(_ type: String, fill: UInt8) -> [UInt8] {
        let name = Array(type.utf8)
        return [0, 0, 0, UInt8(name.count)] + name + [0, 0, 0, 32] + [UInt8](repeating: fill, count: 32)
    }

    static func line(_ hosts: String, _ key: HostKey, marker: String = "") -> String {
        (marker.isEmpty ? "" : marker + " ") + "\(hosts) \(key.type) \(key.base64)"
    }

    @Test func plainNamesPortsAndCommaLists() {
        let file = KnownHosts(
            parsing: [
                Self.line("web1,10.0.0.1", Self.keyA), Self.line("[web2]:2222", Self.keyB), "# comment", "",
            ].joined(separator: "\n"), path: "kh")
        #expect(file.verdict(for: Self.keyA, host: "web1", port: 22) == .trusted(line: 1))
        #expect(file.verdict(for: Self.keyA, host: "10.0.0.1", port: 22) == .trusted(line: 1))
        #expect(file.verdict(for: Self.keyB, host: "web2", port: 2222) == .trusted(line: 2))
        // No fallback from [host]:port to host (OpenSSH semantics, unlike libssh2).
        #expect(file.verdict(for: Self.keyA, host: "web1", port: 2222) == .unknown)
        #expect(file.verdict(for: Self.keyB, host: "web2", port: 22) == .unknown)
        #expect(file.warnings.isEmpty)
    }

    @Test func mismatchOnlyForTheSameKeyType() {
        let file = KnownHosts(parsing: Self.line("web1", Self.keyA), path: "kh")
        #expect(file.verdict(for: Self.keyB, host: "web1", port: 22) == .mismatch(line: 1, known: Self.keyA))
        #expect(file.verdict(for: Self.ecdsa, host: "web1", port: 22) == .unknown)
    }

    @Test func wildcardsAndNegation() {
        let file = KnownHosts(
            parsing: [Self.line("*.internal,!db.internal", Self.keyA), Self.line("[10.0.0.?]:2222", Self.keyB)]
                .joined(separator: "\n"), path: "kh")
        #expect(file.verdict(for: Self.keyA, host: "WEB1.internal", port: 22) == .trusted(line: 1))
        #expect(file.verdict(for: Self.keyA, host: "db.internal", port: 22) == .unknown)
        #expect(file.verdict(for: Self.keyB, host: "10.0.0.7", port: 2222) == .trusted(line: 2))
        #expect(file.verdict(for: Self.keyB, host: "10.0.0.17", port: 2222) == .unknown)
    }

    @Test func revokedKeysAreRefusedAndCertificateAuthoritiesIgnored() {
        let file = KnownHosts(
            parsing: [
                Self.line("web1", Self.keyA), Self.line("*", Self.keyA, marker: "@revoked"),
                Self.line("*", Self.keyB, marker: "@cert-authority"),
            ].joined(separator: "\n"), path: "kh")
        #expect(file.verdict(for: Self.keyA, host: "web1", port: 22) == .revoked(line: 2))
        #expect(file.verdict(for: Self.keyB, host: "web1", port: 22) == .mismatch(line: 1, known: Self.keyA))
        #expect(file.keys(host: "other", port: 22).isEmpty)
    }

    @Test func malformedLinesAreSkippedWithWarnings() {
        let file = KnownHosts(
            parsing: ["garbage", Self.line("web1", Self.keyA), "web2 ssh-ed25519 !!!notbase64", "@bogus * x y"]
                .joined(separator: "\n"), path: "kh")
        #expect(file.warnings.map(\.line) == [1, 3, 4])
        #expect(file.warnings[0].description.hasPrefix("kh:1: warning:"))
        #expect(file.verdict(for: Self.keyA, host: "web1", port: 22) == .trusted(line: 2))
    }

    @Test func hashedNamesFromSSHKeygen() throws {
        let directory = try TestPaths.temporaryDirectory("kh")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/known_hosts"
        let text = [Self.line("web1", Self.keyA), Self.line("[10.1.2.3]:2200", Self.keyB)].joined(separator: "\n")
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try runCommand("/usr/bin/ssh-keygen", ["-q", "-H", "-f", path], check: true)
        let file = try KnownHosts.load(path: path)
        #expect(file.isHashed)
        #expect(file.warnings.isEmpty)
        #expect(file.verdict(for: Self.keyA, host: "web1", port: 22) == .trusted(line: 1))
        #expect(file.verdict(for: Self.keyB, host: "10.1.2.3", port: 2200) == .trusted(line: 2))
        #expect(file.verdict(for: Self.keyA, host: "web2", port: 22) == .unknown)
    }

    @Test func hashedLinesWeWriteAreReadBack() {
        let line = KnownHosts.line(for: Self.keyA, host: "10.0.0.5", port: 2222, hashed: true)
        #expect(line.hasPrefix("|1|"))
        let file = KnownHosts(parsing: line, path: "kh")
        #expect(file.verdict(for: Self.keyA, host: "10.0.0.5", port: 2222) == .trusted(line: 1))
        #expect(file.verdict(for: Self.keyA, host: "10.0.0.5", port: 22) == .unknown)
    }

    @Test func preferredAlgorithmsFollowWhatIsKnown() {
        let file = KnownHosts(
            parsing: [Self.line("web1", Self.ecdsa), Self.line("web1", Self.keyA)].joined(separator: "\n"), path: "kh")
        #expect(file.preferredAlgorithms(host: "web1", port: 22) == ["ssh-ed25519", "ecdsa-sha2-nistp256"])
        #expect(file.preferredAlgorithms(host: "web9", port: 22) == KnownHosts.algorithmOrder)
    }

    @Test func appendCreatesTheFileAndNeverRewrites() throws {
        let directory = try TestPaths.temporaryDirectory("kh")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/new/.ssh/known_hosts"
        try KnownHosts.append(KnownHosts.line(for: Self.keyA, host: "web1", port: 22), to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A file without a final newline gets one before the new line.
        try "# mine, keep me".write(toFile: path, atomically: true, encoding: .utf8)
        try KnownHosts.append(KnownHosts.line(for: Self.keyB, host: "web2", port: 2222), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "# mine, keep me\n[web2]:2222 ssh-ed25519 \(Self.keyB.base64)\n")
    }

    @Test func fingerprintMatchesSSHKeygen() throws {
        let directory = try TestPaths.temporaryDirectory("kh")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try runCommand("/usr/bin/ssh-keygen", ["-q", "-N", "", "-t", "ed25519", "-f", directory + "/k"], check: true)
        let printed = try runCommand("/usr/bin/ssh-keygen", ["-l", "-f", directory + "/k.pub"], check: true).stdout
        let base64 = try String(contentsOfFile: directory + "/k.pub", encoding: .utf8).split(separator: " ")[1]
        let key = try #require(HostKey(blob: [UInt8](Data(base64Encoded: String(base64))!)))
        #expect(key.type == "ssh-ed25519")
        #expect(printed.split(separator: " ")[1] == Substring(key.fingerprint))
    }

    /// `UserKnownHostsFile /dev/null` is OpenSSH's way to skip the check; tarmac refuses it by name.
    @Test func aDeviceAsKnownHostsIsRefusedWithTheReason() throws {
        #expect(throws: KnownHostsNotAFile.self) { try KnownHosts.load(path: "/dev/null") }
        let message = KnownHostsNotAFile(path: "/dev/null").description
        #expect(message.contains("/dev/null is not a regular file") && message.contains("tarmac hosts trust"))
        // A missing file is an empty one (hosts trust creates it).
        #expect(try KnownHosts.load(path: "/nonexistent-\(UUID().uuidString)").entries.isEmpty)
    }
}
