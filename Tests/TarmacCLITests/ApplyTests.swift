import Foundation
import TarmacTestSupport
import Testing

/// `tarmac apply` end to end: real bundles, real sh, real files under /opt in a private
/// mount namespace. Needs root (CI runs as root); skipped with the reason otherwise.
@Suite("tarmac apply", .serialized, PrivateMounts.trait)
struct ApplyTests {
    /// A repository whose hooks append `<event> rev=<n>` to /opt/events.log.
    static func hookedApp(revision: Int) throws -> GitFixture {
        let repo = try GitFixture.empty("apply")
        try writeRevision(repo, revision)
        return repo
    }

    static func writeRevision(_ repo: GitFixture, _ revision: Int) throws {
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: app
                destination: /opt/app
            hooks:
              ApplicationStop:
                - location: scripts/hook.sh
              BeforeInstall:
                - location: scripts/hook.sh
              AfterInstall:
                - location: scripts/hook.sh
              ApplicationStart:
                - location: scripts/hook.sh
              ValidateService:
                - location: scripts/hook.sh

            """)
        try repo.write(
            "scripts/hook.sh",
            "#!/bin/sh\necho \"$LIFECYCLE_EVENT rev=\(revision) $DEPLOYMENT_GROUP_NAME\" >> /opt/events.log\necho hook \(revision) says hi\n",
            executable: true)
        try repo.write("app/index.html", "revision \(revision)\n")
        if revision == 1 {
            try repo.write("app/old.html", "only in revision 1\n")
        } else {
            try? FileManager.default.removeItem(atPath: repo.root + "/app/old.html")
        }
        if revision == 2 { try repo.write("app/new.html", "new in revision 2\n") }
        try repo.commitAll("revision \(revision)", date: "2026-01-0\(revision)T00:00:00Z")
    }

    /// Bundles go inside the repository's .git directory: never committed, removed with the repository.
    static func bundlePath(_ repo: GitFixture, _ name: String) throws -> String {
        let result = try repo.tarmac("bundle", "-o", repo.root + "/.git/" + name)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(result.stdout.split(separator: "\n").last.map(String.init))
    }

    @Test func twoDeploymentsRunEventsInOrderAndStopWithTheEarlierRevision() throws {
        let repo = try Self.hookedApp(revision: 1)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let first = try Self.bundlePath(repo, "\(UUID().uuidString)-r1.tar.gz")
        try Self.writeRevision(repo, 2)
        let second = try Self.bundlePath(repo, "\(UUID().uuidString)-r2.tar.gz")

        let one = try mounts.run(
            "\"$TARMAC\" apply \"$B1\" --deployment-root \"$ROOT\" --deployment-group web", environment: ["B1": first])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stderr.contains("web | hook 1 says hi") || one.stderr.contains("| hook 1 says hi"))
        #expect(
            try String(contentsOfFile: mounts.optDirectory + "/app/old.html", encoding: .utf8) == "only in revision 1\n"
        )

        let two = try mounts.run(
            "\"$TARMAC\" apply \"$B2\" --deployment-root \"$ROOT\" --deployment-group web --json",
            environment: ["B2": second])
        #expect(two.status == 0, "\(two.stderr)")
        let log = try String(contentsOfFile: mounts.optDirectory + "/events.log", encoding: .utf8)
        #expect(
            log == """
                BeforeInstall rev=1 web
                AfterInstall rev=1 web
                ApplicationStart rev=1 web
                ValidateService rev=1 web
                ApplicationStop rev=1 web
                BeforeInstall rev=2 web
                AfterInstall rev=2 web
                ApplicationStart rev=2 web
                ValidateService rev=2 web

                """)
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 2\n")
        #expect(
            !FileManager.default.fileExists(atPath: mounts.optDirectory + "/app/old.html"),
            "the dropped file is cleaned up")
        #expect(FileManager.default.fileExists(atPath: mounts.optDirectory + "/app/new.html"))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(two.stdout.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "Succeeded")
        #expect((json["id"] as? String)?.hasPrefix("d-") == true)
        let host = try #require((json["hosts"] as? [[String: Any]])?.first)
        let events = try #require(host["events"] as? [[String: Any]])
        #expect(
            events.map { $0["name"] as? String } == [
                "ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart",
                "ValidateService",
            ])
        #expect(events.allSatisfy { $0["status"] as? String == "Succeeded" })
    }

    @Test func existingFileIsAConflictUnlessOverwriteOrRetain() throws {
        let repo = try Self.hookedApp(revision: 1)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let bundle = try Self.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        try FileManager.default.createDirectory(atPath: mounts.optDirectory + "/app", withIntermediateDirectories: true)
        try "hand-made\n".write(toFile: mounts.optDirectory + "/app/index.html", atomically: true, encoding: .utf8)

        let refused = try mounts.run("\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\"", environment: ["B": bundle])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("/opt/app/index.html"))
        #expect(refused.stderr.contains("nothing was changed"))
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "hand-made\n")
        #expect(!FileManager.default.fileExists(atPath: mounts.optDirectory + "/events.log"), "no hook ran")

        let retained = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --file-exists-behavior RETAIN",
            environment: ["B": bundle])
        #expect(retained.status == 0, "\(retained.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "hand-made\n")

        let overwritten = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --deployment-group other --file-exists-behavior OVERWRITE",
            environment: ["B": bundle])
        #expect(overwritten.status == 0, "\(overwritten.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/index.html", encoding: .utf8) == "revision 1\n")
    }

    @Test func failingHookExitsOneNamingEventScriptCodeAndLog() throws {
        let repo = try Self.hookedApp(revision: 1)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        try repo.write(
            "scripts/hook.sh",
            "#!/bin/sh\n[ \"$LIFECYCLE_EVENT\" = ValidateService ] && { echo broken >&2; exit 3; }\nexit 0\n",
            executable: true)
        try repo.commitAll("validation fails")
        let bundle = try Self.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        let result = try mounts.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --json", environment: ["B": bundle])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("failed in ValidateService"))
        #expect(result.stderr.contains("scripts/hook.sh"))
        #expect(result.stderr.contains("exit code 3"))
        #expect(result.stderr.contains("scripts.log"))
        #expect(result.stderr.contains("new revision's files"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "Failed")
    }

    @Test func namesThatBreakShellsSurviveInstallAndCleanup() throws {
        let repo = try GitFixture.empty("odd")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let names = [
            "with space.txt", "quote's \"double\".txt", "$(touch pwned).txt", "new\nline.txt", "café/日本語.txt", "-rf",
        ]
        try repo.write("appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/odd\n")
        for name in names { try repo.write("app/" + name, "content of \(name)") }
        try repo.commitAll("odd names")
        let first = try Self.bundlePath(repo, "\(UUID().uuidString)-odd1.tar.gz")
        try FileManager.default.removeItem(atPath: repo.root + "/app/with space.txt")
        try repo.commitAll("drop one")
        let second = try Self.bundlePath(repo, "\(UUID().uuidString)-odd2.tar.gz")
        let result = try mounts.run(
            "cd / && \"$TARMAC\" apply \"$B1\" --deployment-root \"$ROOT\" && \"$TARMAC\" apply \"$B2\" --deployment-root \"$ROOT\"",
            environment: ["B1": first, "B2": second])
        #expect(result.status == 0, "\(result.stderr)")
        for name in names.dropFirst() {
            let path = mounts.optDirectory + "/odd/" + name
            #expect(
                try String(contentsOfFile: path, encoding: .utf8) == "content of \(name)", "\(name.debugDescription)")
        }
        #expect(!FileManager.default.fileExists(atPath: mounts.optDirectory + "/odd/with space.txt"), "cleaned up")
        #expect(
            !FileManager.default.fileExists(atPath: "/pwned.txt") && !FileManager.default.fileExists(atPath: "/pwned"))
    }

    /// Ctrl-C: the hook in flight finishes, the rest is skipped, the lock is released, exit 130.
}
