import Foundation
import TarmacTestSupport
import Testing

/// `tarmac hook install` and `uninstall` in real repositories, with real `git commit`s running the hook.
@Suite("tarmac hook")
struct HookTests {
    /// A hook someone had before tarmac: it appends its arguments and a marker to `log`, then exits `status`.
    static func foreignHook(log: String, status: Int = 0) -> String {
        "#!/bin/sh\nprintf 'chained hook ran with [%s]\\n' \"$*\" >> '\(log)'\nexit \(status)\n"
    }

    /// `git commit --allow-empty` as a user types it, hooks and all; `bin` goes first on PATH.
    static func commit(_ repo: GitFixture, _ message: String, bin: String? = nil) throws -> CommandResult {
        var environment = GitFixture.identity
        if let bin {
            environment["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        }
        return try runCommand(
            "git", ["commit", "-q", "--allow-empty", "-m", message], in: repo.root, environment: environment)
    }

    static func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test func installWritesAnExecutableHookAndCommitsStillSucceed() throws {
        let repo = try GitFixture.empty("hook")
        defer { repo.remove() }
        let installed = try repo.tarmac("hook", "install")
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains("installed the post-commit hook: .git/hooks/post-commit"))
        #expect(installed.stderr.contains("tarmac hook uninstall"))
        #expect(installed.stderr.contains("warning: there is no tarmac.yml"))
        #expect(installed.stdout.isEmpty)
        let hook = repo.root + "/.git/hooks/post-commit"
        #expect(try Self.mode(hook) == 0o755)
        #expect(try String(contentsOfFile: hook, encoding: .utf8).contains("\n# tarmac post-commit hook\n"))

        // The run cannot start here (no pipeline, or no `run` command yet): the commit stands anyway.
        let committed = try Self.commit(repo, "first")
        #expect(committed.status == 0, "\(committed.stderr)")
        #expect(try repo.git("log", "--format=%s") == "first\n")
        #expect(committed.stderr.split(separator: "\n").count <= 1, "at most one line: \(committed.stderr)")
    }

    @Test func anExistingHookIsChainedAndPutBackUnchanged() throws {
        let repo = try GitFixture.empty("hook-chain")
        defer { repo.remove() }
        let hook = repo.root + "/.git/hooks/post-commit"
        let log = repo.root + "/.git/chained.log"
        try repo.write(".git/hooks/post-commit", Self.foreignHook(log: log))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: hook)
        let original = try #require(Self.bytes(hook))

        let installed = try repo.tarmac("hook", "install")
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(
            installed.stderr.contains(
                "kept your existing post-commit hook: it now runs first, from post-commit.tarmac-chained"))
        #expect(Self.bytes(hook + ".tarmac-chained") == original)
        #expect(try Self.mode(hook + ".tarmac-chained") == 0o700)

        #expect(try Self.commit(repo, "first").status == 0)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "chained hook ran with []\n")

        let removed = try repo.tarmac("hook", "uninstall")
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stderr.contains("put back your post-commit hook"))
        #expect(Self.bytes(hook) == original)
        #expect(try Self.mode(hook) == 0o700)
        #expect(!Self.exists(hook + ".tarmac-chained"))
    }

    @Test func aFailingChainedHookKeepsItsStatusAndTheCommitStands() throws {
        let repo = try GitFixture.empty("hook-fail")
        defer { repo.remove() }
        let log = repo.root + "/.git/chained.log"
        try repo.write(".git/hooks/post-commit", Self.foreignHook(log: log, status: 1), executable: true)
        #expect(try repo.tarmac("hook", "install").status == 0)
        let committed = try Self.commit(repo, "first")
        #expect(committed.status == 0, "\(committed.stderr)")
        #expect(try repo.git("log", "--format=%s") == "first\n")
        #expect(Self.exists(log), "the chained hook ran")
        let direct = try runCommand("/bin/sh", [repo.root + "/.git/hooks/post-commit"], in: repo.root)
        #expect(direct.status == 1, "the hook exits with the chained hook's status")
    }

    @Test func installingTwiceNeverChainsTarmacsOwnHook() throws {
        let repo = try GitFixture.empty("hook-twice")
        defer { repo.remove() }
        let hook = repo.root + "/.git/hooks/post-commit"
        #expect(try repo.tarmac("hook", "install").status == 0)
        let first = Self.bytes(hook)
        let again = try repo.tarmac("hook", "install")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stderr.contains("kept your existing"))
        #expect(Self.bytes(hook) == first)
        #expect(!Self.exists(hook + ".tarmac-chained"))
        #expect(try repo.tarmac("hook", "uninstall").status == 0)
        #expect(!Self.exists(hook))
    }

    @Test func aForeignHookIsNeverRemovedOrOverwritten() throws {
        let repo = try GitFixture.empty("hook-foreign")
        defer { repo.remove() }
        let hook = repo.root + "/.git/hooks/post-commit"
        let none = try repo.tarmac("hook", "uninstall")
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stderr.contains("nothing to remove"))

        try repo.write(".git/hooks/post-commit", "#!/bin/sh\necho mine\n", executable: true)
        let refused = try repo.tarmac("hook", "uninstall")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(".git/hooks/post-commit is not tarmac's hook; left in place"))
        #expect(Self.bytes(hook) == Array("#!/bin/sh\necho mine\n".utf8))

        // A foreign hook and a chained one: installing would have to lose one of them.
        try repo.write(".git/hooks/post-commit.tarmac-chained", "#!/bin/sh\necho older\n", executable: true)
        let weird = try repo.tarmac("hook", "install")
        #expect(weird.status == 2)
        #expect(weird.stderr.contains("nothing was changed"))
        #expect(Self.bytes(hook) == Array("#!/bin/sh\necho mine\n".utf8))
        #expect(Self.bytes(hook + ".tarmac-chained") == Array("#!/bin/sh\necho older\n".utf8))
    }

    @Test func theHookGoesWhereCoreHooksPathPoints() throws {
        let repo = try GitFixture.empty("hook-path")
        defer { repo.remove() }
        try repo.git("config", "core.hooksPath", "custom hooks")
        let installed = try repo.tarmac("hook", "install")
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains("installed the post-commit hook: custom hooks/post-commit"))
        #expect(try Self.mode(repo.root + "/custom hooks/post-commit") == 0o755)
        #expect(!Self.exists(repo.root + "/.git/hooks/post-commit"))
        #expect(try Self.commit(repo, "first").status == 0)
    }

    @Test func aLinkedWorktreeSharesTheRepositorysHook() throws {
        let repo = try GitFixture.empty("hook-worktree")
        defer { repo.remove() }
        try repo.git("commit", "-q", "--allow-empty", "-m", "initial")
        let worktree = repo.root + "-worktree"
        try repo.git("worktree", "add", "-q", worktree)
        defer { try? FileManager.default.removeItem(atPath: worktree) }
        let installed = try runCommand(TestPaths.tarmac, ["hook", "install"], in: worktree)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains("installed the post-commit hook: \(repo.root)/.git/hooks/post-commit"))
    }

    /// Installs through a link to the binary whose path needs quoting, then removes the link, so
    /// the hook falls back to `tarmac` on PATH: `fake`, a script the test controls. Returns its bin directory.
    static func installThroughAQuotedPath(_ repo: GitFixture, fake: String, in scratch: String) throws -> String {
        let odd = scratch + "/it's a $(dir) \"here\""
        try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
        do {
            try FileManager.default.linkItem(atPath: TestPaths.tarmac, toPath: odd + "/tarmac")
        } catch {
            try FileManager.default.copyItem(atPath: TestPaths.tarmac, toPath: odd + "/tarmac")
        }
        let installed = try runCommand(odd + "/tarmac", ["hook", "install"], in: repo.root)
        #expect(installed.status == 0, "\(installed.stderr)")
        let text = try String(contentsOfFile: repo.root + "/.git/hooks/post-commit", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("set -- ") })
        let said = try runCommand("/bin/sh", ["-c", line + "\nprintf %s \"$1\""])
        #expect(said.stdout == odd + "/tarmac", "the binary's path survives quoting")
        try FileManager.default.removeItem(atPath: odd + "/tarmac")
        let bin = scratch + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try Data(fake.utf8).write(to: URL(fileURLWithPath: bin + "/tarmac"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/tarmac")
        return bin
    }

    @Test func theHookStartsARunForTheNewCommitAndSaysOneLineWhenItCannot() throws {
        let repo = try GitFixture.empty("hook-run")
        defer { repo.remove() }
        let scratch = try TestPaths.temporaryDirectory("hook-run-scratch")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fake =
            "#!/bin/sh\nprintf '%s\\n' \"$*\" > '\(scratch)/args'\necho 'boom: no pipeline' >&2\necho more >&2\nexit 3\n"
        let bin = try Self.installThroughAQuotedPath(repo, fake: fake, in: scratch)
        let committed = try Self.commit(repo, "first", bin: bin)
        #expect(committed.status == 0, "\(committed.stderr)")
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .newlines)
        let args = try String(contentsOfFile: scratch + "/args", encoding: .utf8)
        #expect(args == "run --background --trigger post-commit --rev \(head)\n")
        #expect(committed.stderr == "tarmac: the pipeline did not start for \(head.prefix(7)): boom: no pipeline\n")
    }

    @Test func aRunThatLeavesAProcessBehindDoesNotHoldUpTheCommit() throws {
        let repo = try GitFixture.empty("hook-detach")
        defer { repo.remove() }
        let scratch = try TestPaths.temporaryDirectory("hook-detach-scratch")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // A careless `run --background`: it closes what it inherited above stderr, as a detaching
        // process must (bash: dash cannot name descriptors above 9), but its child keeps the
        // stdout and stderr the hook gave it.
        let fake = """
            #!/bin/bash
            for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
            sleep 30 &
            echo $! > '\(scratch)/pid'

            """
        let bin = try Self.installThroughAQuotedPath(repo, fake: fake, in: scratch)
        let started = Date()
        let committed = try Self.commit(repo, "first", bin: bin)
        let elapsed = Date().timeIntervalSince(started)
        if let pid = Int32(
            (try? String(contentsOfFile: scratch + "/pid", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        {
            kill(pid, SIGKILL)
        }
        #expect(committed.status == 0, "\(committed.stderr)")
        #expect(committed.stderr.isEmpty, "\(committed.stderr)")
        #expect(elapsed < 15, "the commit waited \(elapsed) s for the run's child")
    }

    @Test func hookTextIsGolden() throws {
        let repo = try GitFixture.empty("hook-golden")
        defer { repo.remove() }
        #expect(try repo.tarmac("hook", "install").status == 0)
        let text = try String(contentsOfFile: repo.root + "/.git/hooks/post-commit", encoding: .utf8)
        // The binary's path differs between machines; the rest is the same everywhere.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix("set -- '/") ? "set -- '/usr/local/bin/tarmac'" : String($0)
        }
        try Golden.check(lines.joined(separator: "\n"), "hook/post-commit.sh")
    }
}
