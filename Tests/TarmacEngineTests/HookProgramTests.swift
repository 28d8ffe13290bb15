import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// Rendered hook programs run with the real `/bin/sh` against scripts in a temp directory.
@Suite("Hook program")
struct HookProgramTests {
    static var scriptsLogLine: Regex<(Substring, Substring)> { #/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (.*)$/# }
    static var aggregateLine: Regex<(Substring, Substring)> {
        #/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[d-TEST0001\](.*)$/#
    }

    @Test func successStreamsBothOutputsAndWritesBothLogs() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let start = try hook.script(
            "scripts/start.sh", "#!/bin/sh\necho hello world\necho oops >&2\nprintf 'no newline'\n")
        let outcome = try hook.execute(hook.run([start]))

        #expect(outcome.stdoutLines == ["hello world", "no newline"])
        #expect(outcome.stderrLines == ["oops"])
        #expect(outcome.result.succeeded)
        #expect(outcome.statuses == [.succeeded])
        #expect(outcome.lines.last == .done(status: 0))
        #expect(outcome.stderr.isEmpty)

        let records = try #require(messages(hook.contents(hook.scriptsLog), Self.scriptsLogLine))
        #expect(records.prefix(2) == ["LifecycleEvent - ApplicationStart", "Script - scripts/start.sh"])
        #expect(Set(records.dropFirst(2)) == ["[stdout]hello world", "[stdout]no newline", "[stderr]oops"])
        #expect(records.firstIndex(of: "[stdout]hello world")! < records.firstIndex(of: "[stdout]no newline")!)
        let aggregate = try #require(messages(hook.contents(hook.aggregateLog), Self.aggregateLine))
        #expect(aggregate == records)
        // The output files are gone once no process holds them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: hook.root + "/logs") == ["scripts.log"])
    }

    @Test func exitCodeFailsTheEvent() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let run = hook.run([try hook.script("fail.sh", "#!/bin/sh\necho before\nexit 3\n")])
        let outcome = try hook.execute(run)
        #expect(outcome.statuses == [.failed(exitCode: 3)])
        #expect(outcome.result.failure == "Script at specified location: fail.sh failed with exit code 3")
        #expect(outcome.result.errorCode == 4)
        #expect(outcome.stdoutLines == ["before"])
        #expect(outcome.lines.last == .done(status: 1))
    }

    @Test func signalIsNamed() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let outcome = try hook.execute(hook.run([try hook.script("die.sh", "#!/bin/sh\nkill -KILL $$\n")]))
        #expect(outcome.statuses == [.signaled("SIGKILL")])
        #expect(outcome.result.failure == "Script at specified location: die.sh failed: killed by signal SIGKILL")
    }

    /// A script that starts a child of its own (`sleep 300`, in its process group), records
    /// `<its pid> <the child's pid>` in `<script>.pid`, then runs `then`.
    static func scriptWithAChild(_ then: String) -> String {
        "#!/bin/sh\nsleep 300 >/dev/null 2>&1 </dev/null &\necho \"$$ $!\" > \"$0.pid.tmp\" && mv \"$0.pid.tmp\" \"$0.pid\"\n\(then)\n"
    }

    /// The two pids `scriptWithAChild` (or a script like it) recorded.
    static func recordedPids(_ hook: HookHarness, _ script: HookRun.Script) throws -> [Int32] {
        let pids = hook.contents(script.path + ".pid").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        try #require(pids.count == 2, "the script recorded its pid and its child's")
        return pids
    }

    @Test func timeoutStopsTheScript() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let script = try hook.script("slow.sh", Self.scriptWithAChild("sleep 30"), timeout: 1)
        let outcome = try hook.execute(hook.run([script]))
        #expect(outcome.statuses == [.timedOut])
        #expect(outcome.result.failure == "Script at specified location: slow.sh failed to complete in 1 seconds")
        #expect(outcome.result.errorCode == 3)
        #expect(outcome.seconds < 4, "took \(outcome.seconds) s")
        let pids = try Self.recordedPids(hook, script)
        #expect(pids.filter(processIsLive).isEmpty, "the script and the child it started are gone: \(pids)")
    }

    @Test func aHookDiesWithItsRunner() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        // The runner (TARMAC_SESSION_PID: an SSH connection's sshd, else tarmac) is already gone,
        // as after a second Ctrl-C or a dropped link: the hook is stopped, not left running.
        var gone: Int32 = 4_000_000
        while kill(gone, 0) == 0 || errno != ESRCH { gone -= 1 }
        let script = try hook.script("slow.sh", Self.scriptWithAChild("sleep 60"), timeout: 3600)
        let outcome = try hook.execute(hook.run([script]), callerEnvironment: ["TARMAC_SESSION_PID": "\(gone)"])
        #expect(outcome.seconds < 20, "stopped long before its timeout")
        #expect(outcome.statuses == [.timedOut])
        // No pid file: the script was stopped before it started anything, which is as good.
        let pids = hook.contents(script.path + ".pid").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        #expect(pids.filter(processIsLive).isEmpty, "the script and the child it started are gone: \(pids)")
    }

    @Test func scriptTrappingTermIsKilledAfterGrace() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let body = """
            #!/bin/sh
            trap 'echo got TERM' TERM
            (trap '' TERM; exec sleep 60) &
            echo "$$ $!" > "$0.pid.tmp" && mv "$0.pid.tmp" "$0.pid"
            while :; do sleep 0.1; done
            """
        let script = try hook.script("stubborn.sh", body, timeout: 1)
        let outcome = try hook.execute(hook.run([script]))
        #expect(outcome.statuses == [.timedOut])
        #expect(outcome.stdoutLines.contains("got TERM"))
        #expect(outcome.seconds > 5.5 && outcome.seconds < 8.5, "took \(outcome.seconds) s")
        let pids = try Self.recordedPids(hook, script)
        defer { for pid in pids { kill(pid, SIGKILL) } }
        #expect(pids.filter(processIsLive).isEmpty, "the script or its TERM-proof child survived: \(pids)")
    }

    @Test func backgroundChildDoesNotHoldUpTheEvent() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let script = try hook.script("daemon.sh", "#!/bin/sh\nsleep 300 &\necho started $!\n", timeout: 20)
        let outcome = try hook.execute(hook.run([script]))
        let started = try #require(outcome.stdoutLines.first?.split(separator: " ").last.flatMap { Int32($0) })
        defer { kill(started, SIGKILL) }

        #expect(outcome.result.succeeded)
        #expect(outcome.seconds < 3, "took \(outcome.seconds) s")
        #expect(kill(started, 0) == 0, "the daemon must be left running")
        let holders = outcome.result.scripts.first?.outputHolders ?? []
        #expect(holders == [HookResult.OutputHolder(pid: Int(started), command: "sleep")])
        #expect(
            outcome.result.warnings == [
                "Script at specified location: daemon.sh: process \(started) (sleep) still holds the hook's output; "
                    + "start background processes with >/dev/null 2>&1 </dev/null"
            ])
    }

    @Test func environmentIsCleanAndComplete() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let script = try hook.script("env.sh", "#!/bin/sh\nenv\n")
        let given = [
            "APPLICATION_NAME": "shop", "DEPLOYMENT_GROUP_NAME": "staging", "DEPLOYMENT_GROUP_ID": "g-1",
            "BUNDLE_COMMIT": "0123abcd", "TARMAC_HOST": "web 1 'quoted' $(x)",
        ]
        let outcome = try hook.execute(
            hook.run([script], environment: given), callerEnvironment: ["FOO": "leaked", "LC_ALL": "de_DE.UTF-8"])
        var seen: [String: String] = [:]
        for line in outcome.stdoutLines {
            let (name, value) = (line.prefix { $0 != "=" }, line.drop { $0 != "=" }.dropFirst())
            seen[String(name)] = String(value)
        }
        var expected = given
        expected["LIFECYCLE_EVENT"] = "ApplicationStart"
        expected["DEPLOYMENT_ID"] = "d-TEST0001"
        expected["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        expected["LANG"] = "C.UTF-8"
        let user = String(cString: getpwuid(getuid())!.pointee.pw_name)
        expected["USER"] = user
        expected["LOGNAME"] = user
        expected["HOME"] = String(cString: getpwuid(getuid())!.pointee.pw_dir)
        expected["SHELL"] = String(cString: getpwuid(getuid())!.pointee.pw_shell)
        for (name, value) in expected { #expect(seen[name] == value, "\(name)") }
        // Only what sh itself adds may appear besides the documented variables.
        let extra = Set(seen.keys).subtracting(expected.keys).subtracting(["PWD", "OLDPWD", "SHLVL", "_"])
        #expect(extra.isEmpty, "unexpected variables: \(extra.sorted())")
    }

    @Test func workingDirectoryIsRootAndStdinIsEmpty() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let body = "#!/bin/sh\npwd\nif read line; then echo \"read: $line\"; else echo eof; fi\ncat\necho end\n"
        let outcome = try hook.execute(hook.run([try hook.script("cwd.sh", body)]))
        #expect(outcome.stdoutLines == ["/", "eof", "end"])
    }

    private func messages(_ log: String, _ pattern: Regex<(Substring, Substring)>) -> [String]? {
        var result: [String] = []
        for line in log.split(separator: "\n") {
            guard let match = line.wholeMatch(of: pattern) else { return nil }
            result.append(String(match.1))
        }
        return result
    }
}
