import Foundation
import TarmacTestSupport
import Testing

/// `tarmac verify` (issue 15): drift between what the last install left and what a host has,
/// locally in a sandboxed host after `apply`.
@Suite("verify: drift", .serialized, PrivateMounts.trait)
struct DriftTests {
    static func findings(_ result: CommandResult) throws -> [String: Any] {
        let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        return try #require(list?.first)
    }

    @Test func editsChmodsDeletionsAndExtraFilesAreFoundOnTheHost() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let bundle = try ApplyTests.bundlePath(repo, "r1.tar.gz")
        let script = """
            "$TARMAC" apply "$B" --deployment-root "$ROOT" --deployment-group web >/dev/null 2>&1 || exit 90
            "$TARMAC" verify --deployment-root "$ROOT" || exit 91
            app=$("$TARMAC" inspect "$B" --json | sed -n 's/^ *"application" : "\\(.*\\)",$/\\1/p' | head -n 1)
            "$TARMAC" verify --deployment-root "$ROOT" --deployment-group web --application "$app" --json > "$MOUNTS/clean.json" || exit 92
            touch -d '2030-01-01' /opt/app/index.html
            "$TARMAC" verify --deployment-root "$ROOT" || exit 93
            printf 'REVISION 1\\n' > /opt/app/index.html
            chmod 0600 /opt/app/old.html && chown 65534:65534 /opt/app/old.html
            mkdir -p /opt/app/cache && echo x > /opt/app/cache/extra.txt
            "$TARMAC" verify --deployment-root "$ROOT" --json
            """
        let result = try mounts.run(script, environment: ["B": bundle])
        #expect(result.status == 1, "\(result.stderr)")
        let clean = try String(contentsOfFile: mounts.root + "/clean.json", encoding: .utf8)
        #expect(clean.contains("\"status\" : \"clean\""), "\(clean)")
        let found = try Self.findings(result)
        #expect(found["status"] as? String == "drift")
        let modified = try #require(found["modified"] as? [[String: Any]])
        let byPath = Dictionary(
            uniqueKeysWithValues: modified.map { ($0["path"] as! String, $0["changes"] as! [String]) })
        #expect(byPath["/opt/app/index.html"] == ["content"], "\(byPath)")
        #expect(
            byPath["/opt/app/old.html"] == ["mode 600 (installed 644)", "owner 65534:65534 (installed 0:0)"],
            "\(byPath)")
        #expect(found["extra"] as? [String] == ["/opt/app/cache", "/opt/app/cache/extra.txt"])
        #expect((found["missing"] as? [String])?.isEmpty == true)

        let deleted = try mounts.run(
            "rm /opt/app/old.html && \"$TARMAC\" verify --deployment-root \"$ROOT\"", environment: [:])
        #expect(deleted.status == 1)
        #expect(deleted.stderr.contains("missing  /opt/app/old.html"), "\(deleted.stderr)")
        #expect(deleted.stderr.contains("extra    /opt/app/cache/extra.txt"), "\(deleted.stderr)")
    }

    @Test func aLocalUserWhoCanWriteADestinationIsCaughtReplacingAFile() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let sandbox = try HostileSandbox.make()
        defer { sandbox.remove() }
        let bundle = try ApplyTests.bundlePath(repo, "r1.tar.gz")
        // The destination belongs to the app's user, as /var/www to www-data; the user swaps a file.
        let result = try sandbox.run(
            """
            "$TARMAC" apply "$B" --deployment-root "$ROOT" >/dev/null 2>&1 || exit 90
            chown "$EVIL" /opt/app
            runuser -u "$EVIL" -- sh -c 'printf "defaced\\n" > /opt/app/.new && mv -f /opt/app/.new /opt/app/index.html' || exit 91
            "$TARMAC" verify --deployment-root "$ROOT"
            """, environment: ["B": bundle])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "modified /opt/app/index.html (owner \(sandbox.evilUID):\(sandbox.evilUID) (installed 0:0), content)"),
            "\(result.stderr)")
        #expect(
            result.stderr.contains("modified /opt/app (owner \(sandbox.evilUID):0 (installed 0:0))"), "\(result.stderr)"
        )
    }

    @Test func sizeAndMtimeSettleAFileUnlessFull() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let bundle = try ApplyTests.bundlePath(repo, "r1.tar.gz")
        // Same size, mtime put back: only hashing can tell.
        let script = """
            "$TARMAC" apply "$B" --deployment-root "$ROOT" >/dev/null 2>&1 || exit 90
            stamp=$(stat -c %Y /opt/app/index.html)
            printf 'REVISION 1\\n' > /opt/app/index.html && touch -d "@$stamp" /opt/app/index.html
            "$TARMAC" verify --deployment-root "$ROOT" || exit 91
            "$TARMAC" verify --deployment-root "$ROOT" --full
            """
        let result = try mounts.run(script, environment: ["B": bundle])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("modified /opt/app/index.html (content)"), "\(result.stderr)")
    }

    @Test func invalidInputIsExitTwoAndChangesNothing() throws {
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let result = try mounts.run("\"$TARMAC\" verify --deployment-root \"$ROOT\"", environment: [:])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nothing installed by tarmac is recorded"), "\(result.stderr)")
        let partial = try mounts.run("\"$TARMAC\" verify --deployment-group web", environment: [:])
        #expect(partial.status == 2)
        #expect(partial.stderr.contains("--deployment-group needs --application"), "\(partial.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounts.deploymentRoot).isEmpty)
    }
}
