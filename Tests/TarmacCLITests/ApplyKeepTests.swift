import Foundation
import TarmacTestSupport
import Testing

/// Install touches only what changed (issue 13): a host upgraded revision after revision (and
/// rolled back, and re-applied) ends file by file where a fresh host applying only that
/// revision ends, while the files that did not change keep their inode and change time.
@Suite("tarmac apply: unchanged files are left alone", .serialized, PrivateMounts.trait)
struct ApplyKeepTests {
    /// Revision `n`: a file that changes every time, files and a link that never change, a
    /// directory only revision 1 has, one from revision 2 on, a mode change in revision 3,
    /// a permission entry, and a hook.
    static func write(_ repo: GitFixture, _ n: Int) throws {
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: app
                destination: /opt/app
            permissions:
              - object: /opt/app/static
                pattern: "**"
                mode: 640
                type: [file]
            hooks:
              AfterInstall:
                - location: scripts/hook.sh

            """)
        try repo.write("scripts/hook.sh", "#!/bin/sh\necho \"rev=\(n)\" >> /opt/hooks.log\n", executable: true)
        try repo.write("app/index.html", "revision \(n)\n")
        try repo.write("app/static/logo.txt", "logo\n")
        try repo.write("app/static/deep/a.txt", "deep\n")
        try repo.write("app/bin/run.sh", "#!/bin/sh\necho run\n", executable: n != 3)
        try? FileManager.default.removeItem(atPath: repo.root + "/app/link")
        try repo.symlink("app/link", to: "static/logo.txt")
        let old = repo.root + "/app/old"
        if n == 1 { try repo.write("app/old/x.txt", "old\n") } else { try? FileManager.default.removeItem(atPath: old) }
        if n >= 2 { try repo.write("app/new/y.txt", "new\n") }
        try repo.commitAll("revision \(n)", date: "2026-01-0\(n)T00:00:00Z")
    }

    /// Every path under `directory`: type, mode, owner, group, and content or link target.
    static func tree(_ directory: String) throws -> [String: String] {
        var result: [String: String] = [:]
        let walker = try #require(FileManager.default.enumerator(atPath: directory))
        for case let relative as String in walker {
            let path = directory + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            var what = "\(String(info.st_mode, radix: 8)) \(info.st_uid):\(info.st_gid)"
            switch info.st_mode & S_IFMT {
            case S_IFLNK: what += " -> " + (try FileManager.default.destinationOfSymbolicLink(atPath: path))
            case S_IFREG: what += " " + (try String(contentsOfFile: path, encoding: .utf8))
            default: what += " nlink=\(info.st_nlink)"
            }
            result[relative] = what
        }
        return result
    }

    static func cleanup(_ mounts: PrivateMounts) throws -> String {
        let instructions = mounts.deploymentRoot + "/deployment-instructions"
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: instructions).first { $0.hasSuffix("-cleanup") })
        return try String(contentsOfFile: instructions + "/" + name, encoding: .utf8)
    }

    /// Applies `bundle`; returns `stat` of the watched files (inode and change time) before
    /// and after, taken in the same namespace (PrivateMounts copies /opt in and out).
    @discardableResult
    static func apply(_ mounts: PrivateMounts, _ bundle: String) throws -> (before: [String], after: [String]) {
        let watch =
            "cd /opt/app 2>/dev/null && for f in static/deep/a.txt static/logo.txt index.html bin/run.sh; do "
            + "stat -c '%i %z' -- \"$f\" 2>/dev/null || echo missing; done"
        let result = try mounts.run(
            "(\(watch)) > /opt/.before; \"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\" --deployment-group web; "
                + "s=$?; (\(watch)) > /opt/.after; [ $s -eq 0 ]",
            environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        let read = { (name: String) in
            ((try? String(contentsOfFile: mounts.optDirectory + "/" + name, encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }
        return (read(".before"), read(".after"))
    }

    @Test func upgradesRollbackAndReapplyEndWhereAFullInstallEnds() throws {
        let repo = try GitFixture.empty("keep")
        defer { repo.remove() }
        var bundles: [String] = []
        for n in 1...3 {
            try Self.write(repo, n)
            bundles.append(try ApplyTests.bundlePath(repo, "\(UUID().uuidString)-r\(n).tar.gz"))
        }
        let upgraded = try PrivateMounts.make()
        defer { upgraded.remove() }
        // 1, 2, 3, then a rollback to 2 and the same revision again.
        for (step, revision) in [1, 2, 3, 2, 2].enumerated() {
            let app = upgraded.optDirectory + "/app"
            let (before, after) = try Self.apply(upgraded, bundles[revision - 1])
            let fresh = try PrivateMounts.make()
            defer { fresh.remove() }
            try Self.apply(fresh, bundles[revision - 1])
            #expect(try Self.tree(app) == Self.tree(fresh.optDirectory + "/app"), "step \(step): revision \(revision)")
            let (ours, full) = (try Self.cleanup(upgraded), try Self.cleanup(fresh))
            #expect(ours == full, "step \(step): revision \(revision)")
            guard step > 0 else { continue }
            #expect(after.count == 4 && before.count == 4)
            guard after.count == 4, before.count == 4 else { continue }
            #expect(after[0] == before[0], "an unchanged file is left alone")
            #expect(after[1] == before[1], "an unchanged file under a chmod is left alone")
            #expect((after[2] != before[2]) == (step != 4), "a changed file is replaced, the same one left alone")
            let modeChanged = step == 2 || step == 3
            #expect((after[3] != before[3]) == modeChanged, "a file whose mode changes is replaced (step \(step))")
        }
    }

    @Test func aFileChangedOnTheHostIsInstalledAgain() throws {
        let repo = try GitFixture.empty("keep-edit")
        defer { repo.remove() }
        try Self.write(repo, 1)
        let bundle = try ApplyTests.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        try Self.apply(mounts, bundle)
        let app = mounts.optDirectory + "/app"
        // Same size, other bytes; a mode changed; an extra hard link.
        try "DEEP\n".write(toFile: app + "/static/deep/a.txt", atomically: false, encoding: .utf8)
        _ = chmod(app + "/index.html", 0o600)
        _ = link(app + "/bin/run.sh", mounts.optDirectory + "/stolen")
        let before = try Self.tree(app)
        try Self.apply(mounts, bundle)
        let fresh = try PrivateMounts.make()
        defer { fresh.remove() }
        try Self.apply(fresh, bundle)
        #expect(before != (try Self.tree(app)))
        #expect(try Self.tree(app) == Self.tree(fresh.optDirectory + "/app"))
        #expect(try String(contentsOfFile: mounts.optDirectory + "/stolen", encoding: .utf8) == "#!/bin/sh\necho run\n")
        var info = stat()
        #expect(lstat(app + "/bin/run.sh", &info) == 0 && info.st_nlink == 1, "the hard-linked file was replaced")
    }
}
