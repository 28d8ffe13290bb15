import Foundation
import TarmacEngine
import Testing

/// Pre-flight checks, ordering and odd names, with the real `/bin/sh`.
@Suite("Hook pre-flight and order")
struct HookPreflightTests {
    @Test func missingScriptFailsAfterEarlierScriptsRan() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let first = try hook.script("first.sh", "#!/bin/sh\necho first\n")
        let missing = HookRun.Script(path: hook.archive + "/scripts/gone.sh", location: "scripts/gone.sh")
        let outcome = try hook.execute(hook.run([first, missing]))
        #expect(outcome.statuses == [.succeeded, .missing])
        #expect(
            outcome.result.failure == "Script does not exist at specified location: \(hook.archive)/scripts/gone.sh")
        #expect(outcome.result.errorCode == 1)
        #expect(!hook.contents(hook.scriptsLog).contains("Script - scripts/gone.sh"))
    }

    @Test func nonExecutableScriptIsMadeExecutable() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let script = try hook.script("plain.sh", "#!/bin/sh\necho ran\n", mode: 0o644)
        let outcome = try hook.execute(hook.run([script]))
        #expect(outcome.result.succeeded)
        #expect(outcome.stdoutLines == ["ran"])
        #expect(
            outcome.result.warnings == [
                "Script at specified location: plain.sh is not executable; made it executable (chmod a+x)"
            ])
        let mode = try FileManager.default.attributesOfItem(atPath: script.path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
    }

    @Test func scriptWithoutShebangRunsWithSh() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let outcome = try hook.execute(hook.run([try hook.script("bare.sh", "echo \"bare $0\"\n")]))
        #expect(outcome.result.succeeded)
        #expect(outcome.stdoutLines == ["bare \(hook.archive)/bare.sh"])
        #expect(
            outcome.result.warnings == ["Script at specified location: bare.sh has no #! line; running it with /bin/sh"]
        )
    }

    @Test func firstFailureStopsLaterScripts() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let marker = hook.root + "/second-ran"
        let first = try hook.script("a.sh", "#!/bin/sh\nexit 1\n")
        let second = try hook.script("b.sh", "#!/bin/sh\ntouch '\(marker)'\n")
        let outcome = try hook.execute(hook.run([first, second]))
        #expect(outcome.statuses == [.failed(exitCode: 1)])
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(outcome.lines.last == .done(status: 1))
    }

    @Test func scriptsRunInOrder() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let scripts = try (1...3).map { try hook.script("s\($0).sh", "#!/bin/sh\necho \($0)\n") }
        let outcome = try hook.execute(hook.run(scripts))
        #expect(outcome.stdoutLines == ["1", "2", "3"])
        #expect(outcome.statuses == [.succeeded, .succeeded, .succeeded])
    }

    @Test func oddPathNamesAreInert() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let location = "we ird/it's $(touch pwned) `x` \"q\" a=b\nnext line/grüße ☃.sh"
        let script = try hook.script(location, "#!/bin/sh\necho \"ran $0\"\n", mode: 0o644)
        let outcome = try hook.execute(hook.run([script], event: "Custom Event $(touch pwned)"))
        #expect(outcome.result.succeeded)
        #expect(outcome.stdoutLines == ["ran \(script.path.split(separator: "\n")[0])", "next line/grüße ☃.sh"])
        #expect(hook.contents(hook.scriptsLog).contains("Script - \(location)\n"))
        #expect(hook.contents(hook.scriptsLog).contains("LifecycleEvent - Custom Event $(touch pwned)\n"))
        #expect(!FileManager.default.fileExists(atPath: "/pwned"))
        #expect(!FileManager.default.fileExists(atPath: hook.root + "/pwned"))
    }

    @Test func logDirectoriesAreCreated() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        var run = hook.run([try hook.script("ok.sh", "#!/bin/sh\n")])
        run.aggregateLog = hook.root + "/deep/er/tarmac-deployments.log"
        let outcome = try hook.execute(run)
        #expect(outcome.result.succeeded)
        #expect(hook.contents(run.aggregateLog).hasSuffix("]Script - ok.sh\n"))
    }
}
