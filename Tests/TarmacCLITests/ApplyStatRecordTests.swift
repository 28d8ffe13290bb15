import Foundation
import TarmacTestSupport
import Testing

/// A re-apply hashes only what the last Install's stat record cannot vouch for (issue 13):
/// nothing when nothing changed, the one file a root process rewrote in place (size and mtime
/// put back), and whatever a hook or another user touched; every host still ends where a fresh
/// host applying the same bundle ends.
@Suite("tarmac apply: the stat record spares hashing unchanged files", .serialized, PrivateMounts.trait)
struct ApplyStatRecordTests {
    /// `sha256sum` replaced, inside the namespace, by one that writes the files it is asked
    /// to hash to `$MOUNTS/hashed`, one per line.
    static let countHashing = """
        cp /usr/bin/sha256sum "$MOUNTS/real-sha256sum" || exit 80
        cat > "$MOUNTS/sha-wrap" <<EOF
        #!/bin/sh
        [ \\$# -eq 0 ] || printf '%s\\\\n' "\\$@" | grep -vx -- -- >> "$MOUNTS/hashed"
        exec "$MOUNTS/real-sha256sum" "\\$@"
        EOF
        chmod 0755 "$MOUNTS/sha-wrap" && mount --bind "$MOUNTS/sha-wrap" /usr/bin/sha256sum || exit 81
        : > "$MOUNTS/hashed"

        """

    static func apply(_ n: Int) -> String {
        "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" >\"$MOUNTS/apply-\(n).log\" 2>&1 || exit 9\(n)\n"
    }

    static func hashed(_ mounts: PrivateMounts, _ name: String) -> [String] {
        ((try? String(contentsOfFile: mounts.root + "/" + name, encoding: .utf8)) ?? "").split(separator: "\n").map(
            String.init)
    }

    static func app(_ label: String, files: [String: String], appspec: String) throws -> (GitFixture, String) {
        let repo = try GitFixture.empty(label)
        try repo.write("appspec.yml", appspec)
        for (path, text) in files { try repo.write(path, text, executable: path.hasSuffix(".sh")) }
        try repo.commitAll("revision 1")
        return (repo, try ApplyTests.bundlePath(repo, "\(UUID().uuidString).tar.gz"))
    }

    static let files = [
        "app/a.txt": "alpha\n", "app/lib/b.txt": "bravo\n", "app/lib/deep/c.txt": "charlie\n", "app/d.txt": "delta\n",
    ]

    /// `bundle` applied on a host of its own: its /opt/app, to compare with.
    static func fresh(_ bundle: String) throws -> [String: String] {
        let fresh = try PrivateMounts.make()
        defer { fresh.remove() }
        let result = try fresh.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" >/dev/null 2>&1", environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        return try ApplyKeepTests.tree(fresh.optDirectory + "/app")
    }

    @Test func aReapplyHashesNothingButAFileRewrittenInPlace() throws {
        let (repo, bundle) = try Self.app(
            "stat-record", files: Self.files,
            appspec: "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/app\n")
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let result = try mounts.run(
            Self.apply(1) + Self.countHashing + Self.apply(2)
                + """
                cp "$MOUNTS/hashed" "$MOUNTS/hashed-2"
                stamp=$(stat -c %Y /opt/app/lib/b.txt)
                printf 'B' | dd of=/opt/app/lib/b.txt bs=1 conv=notrunc 2>/dev/null && touch -d "@$stamp" /opt/app/lib/b.txt
                inode=$(stat -c %i /opt/app/a.txt)

                """ + Self.apply(3) + "[ \"$(stat -c %i /opt/app/a.txt)\" = \"$inode\" ] || exit 70\n",
            environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.hashed(mounts, "hashed-2") == [], "nothing changed: nothing hashed")
        #expect(Self.hashed(mounts, "hashed") == ["/opt/app/lib/b.txt"], "only the rewritten file")
        #expect(try ApplyKeepTests.tree(mounts.optDirectory + "/app") == Self.fresh(bundle))
    }

    /// An AfterInstall hook rewrites a file in place after Install, differently each time it
    /// finds it (`a` → `b`, `b` → `c`), and puts its mtime back: the next apply must install it
    /// again (the hook then makes it `b`, as on a fresh host), not keep the hook's `b`.
    @Test func aFileAHookRewroteIsInstalledAgain() throws {
        let hook = """
            #!/bin/sh
            f=/opt/app/a.txt; stamp=$(stat -c %Y "$f")
            case $(cat "$f") in a) printf b > "$f" ;; b) printf c > "$f" ;; esac
            touch -d "@$stamp" "$f"

            """
        let (repo, bundle) = try Self.app(
            "stat-record-hook", files: ["app/a.txt": "a", "app/z.txt": "z", "hook.sh": hook],
            appspec: """
                version: 0.0
                os: linux
                files:
                  - source: app
                    destination: /opt/app
                hooks:
                  AfterInstall:
                    - location: hook.sh

                """)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let result = try mounts.run(
            Self.apply(1) + Self.countHashing + Self.apply(2), environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: mounts.optDirectory + "/app/a.txt", encoding: .utf8) == "b")
        #expect(Self.hashed(mounts, "hashed") == ["/opt/app/a.txt"])
        #expect(try ApplyKeepTests.tree(mounts.optDirectory + "/app") == Self.fresh(bundle))
    }

    /// A real non-root user owns one destination file (a permission entry), may write another
    /// (mode 666), and is given the directory of a third: she changes each one's content and
    /// puts back what she can of size and mtime (`touch -d` on her own file, a rename of a
    /// root-owned file of the same size over another). Every one is installed again.
    @Test func filesAnotherUserChangedAreInstalledAgain() throws {
        let (repo, bundle) = try Self.app(
            "stat-record-hostile",
            files: [
                "app/owned.txt": "owned\n", "app/public/world.txt": "world\n", "app/shared/a.txt": "aaaa\n",
                "app/shared/b.txt": "bbbb\n", "app/root.txt": "root\n",
            ],
            appspec: """
                version: 0.0
                os: linux
                files:
                  - source: app
                    destination: /opt/app
                permissions:
                  - object: /opt/app/owned.txt
                    owner: \(HostileSandbox.evil)
                    type: [file]
                  - object: /opt/app/public
                    pattern: "world.txt"
                    mode: 666
                    type: [file]

                """)
        defer { repo.remove() }
        let sandbox = try HostileSandbox.make()
        defer { sandbox.remove() }
        let result = try sandbox.run(
            Self.apply(1)
                + """
                chown "$EVIL" /opt/app/shared || exit 71
                runuser -u "$EVIL" -- sh -c '
                  stamp=$(stat -c %Y /opt/app/owned.txt)
                  printf "OWNED\\n" > /opt/app/owned.txt && touch -d "@$stamp" /opt/app/owned.txt || exit 72
                  printf "WORLD\\n" > /opt/app/public/world.txt || exit 73
                  mv -f /opt/app/shared/b.txt /opt/app/shared/a.txt || exit 74
                ' || exit $?
                grep -q OWNED /opt/app/owned.txt && grep -q bbbb /opt/app/shared/a.txt || exit 75

                """ + Self.countHashing + Self.apply(2),
            environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        let app = sandbox.opt + "/app"
        for (name, text) in [("owned.txt", "owned\n"), ("public/world.txt", "world\n"), ("shared/a.txt", "aaaa\n")] {
            #expect(try String(contentsOfFile: app + "/" + name, encoding: .utf8) == text, "\(name)")
        }
        #expect(try String(contentsOfFile: app + "/shared/b.txt", encoding: .utf8) == "bbbb\n")
        #expect(
            !Self.hashed(sandbox.mounts, "hashed").contains("/opt/app/root.txt"), "the untouched file is vouched for")
        var installed = try ApplyKeepTests.tree(app)
        var expected = try Self.freshAsUsers(bundle)
        // Retention of the user's directory is not this test's business: compare the files.
        installed["shared"] = nil
        expected["shared"] = nil
        #expect(installed == expected)
    }

    /// A fresh host with the same users (a permission entry names one).
    static func freshAsUsers(_ bundle: String) throws -> [String: String] {
        let fresh = try HostileSandbox.make()
        defer { fresh.remove() }
        let result = try fresh.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" >/dev/null 2>&1", environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        return try ApplyKeepTests.tree(fresh.opt + "/app")
    }
}
