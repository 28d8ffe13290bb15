import Foundation
import TarmacTestSupport
import Testing

/// Hook output is not trusted: what a hook prints reaches the operator's terminal with its
/// control characters shown as text (a window title, clear screen, OSC 52 clipboard writes and
/// cursor movement cannot act), while the stored logs keep the exact bytes.
@Suite("hostile hook output", .serialized)
struct HostileOutputTests {
    /// What the hook prints: set the title, clear the screen, write the clipboard, then move
    /// up a line and forge a success mark.
    static let attack =
        #"printf '\033]0;owned\007\033[2J\033]52;c;ZXZpbA==\007\033[1A\r\342\234\223 ValidateService\n'"#

    static func project(destination: String, tarmacYML: String? = nil) throws -> GitFixture {
        let repo = try GitFixture.empty("hostile-output")
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: app
                destination: \(destination)
            hooks:
              AfterInstall:
                - location: hook.sh

            """)
        try repo.write(
            "hook.sh", "#!/bin/sh\n\(attack)\necho bad >&2; printf '\\033[31mred\\033[0m\\n' >&2\n", executable: true)
        try repo.write("app/index.html", "hello\n")
        if let tarmacYML { try repo.write("tarmac.yml", tarmacYML) }
        _ = try repo.commitAll("hostile output")
        return repo
    }

    /// No escape byte, no bell, no carriage return reaches the screen; the sequences show as text.
    static func expectInert(_ text: String, _ context: String) {
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\r" }, "\(context): \(text)")
        #expect(
            text.contains(#"\e]0;owned\x07\e[2J\e]52;c;ZXZpbA==\x07\e[1A\r✓ ValidateService"#), "\(context): \(text)")
        #expect(text.contains(#"\e[31mred\e[0m"#), "\(context): \(text)")
    }

    @Test(PrivateMounts.trait)
    func applyShowsHookControlCharactersAsTextAndKeepsThemInScriptsLog() throws {
        let repo = try Self.project(destination: "/opt/hostile")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let bundle = repo.root + "/.git/hostile.tar.gz"
        let built = try repo.tarmac("bundle", "-o", bundle)
        #expect(built.status == 0, "\(built.stderr)")

        let result = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectInert(result.stderr, "apply's output")

        // The host's own log keeps the bytes the hook wrote.
        let logs = try FileManager.default.subpathsOfDirectory(atPath: mounts.deploymentRoot)
            .filter { $0.hasSuffix("logs/scripts.log") }
        let log = try #require(logs.first.map { mounts.deploymentRoot + "/" + $0 })
        let stored = try String(contentsOfFile: log, encoding: .utf8)
        #expect(stored.contains("\u{1B}]0;owned\u{07}"))
    }

    @Test(Fleet.trait())
    func deployAndLogsShowHookControlCharactersAsText() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        let name = "hostile" + String(UUID().uuidString.prefix(6)).lowercased()
        let repo = try Self.project(
            destination: "/opt/\(name)", tarmacYML: "application: \(name)\ngroups:\n" + fleet.groupYAML())
        defer { repo.remove() }

        let deploy = try runCommand(TestPaths.tarmac, ["deploy", "fleet"], in: repo.root)
        #expect(deploy.status == 0, "\(deploy.stderr)")
        Self.expectInert(deploy.stderr, "deploy's output")
        let id = try #require(deploy.stderr.firstMatch(of: /d-[A-Z0-9]{9}/).map { String($0.output) })

        let logs = try runCommand(TestPaths.tarmac, ["logs", id], in: repo.root)
        #expect(logs.status == 0, "\(logs.stderr)")
        Self.expectInert(logs.stdout, "tarmac logs")

        // JSON carries the exact text, escaped by JSON itself.
        let json = try runCommand(TestPaths.tarmac, ["deploy", "fleet", "--json"], in: repo.root)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(!json.stdout.contains("\u{1B}"))
        #expect(json.stdout.contains(#"\u001b]0;owned"#))
    }
}
