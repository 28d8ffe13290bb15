import TarmacEngine
import TarmacTestSupport
import Testing

/// Rendering and reading without running anything.
@Suite("Hook program rendering and result")
struct HookResultTests {
    static let run = HookRun(
        event: "ApplicationStart", deploymentID: "d-ABC123",
        scripts: [
            .init(
                path: "/var/lib/tarmac/g-1/d-ABC123/deployment-archive/scripts/start.sh", location: "scripts/start.sh",
                timeout: 300),
            .init(
                path: "/var/lib/tarmac/g-1/d-ABC123/deployment-archive/it's here.sh", location: "it's here.sh",
                timeout: 60, runas: "deploy"),
        ],
        environment: [
            "APPLICATION_NAME": "shop", "DEPLOYMENT_GROUP_NAME": "production", "DEPLOYMENT_GROUP_ID": "g-1",
            "BUNDLE_COMMIT": "4f1c2d3e", "TARMAC_HOST": "web-1",
        ],
        layout: HostLayout(root: "/var/lib/tarmac", groupID: "g-1"))

    @Test func goldenProgram() throws {
        try Golden.check(HookProgram.render(Self.run).description, "programs/hook.sh")
    }

    @Test func emptyEventOnlyReportsDone() {
        var run = Self.run
        run.scripts = []
        let program = HookProgram.render(run).description
        #expect(program.hasSuffix("printf '@done 0\\n' >&3\n"))
        #expect(HookProgram.result(for: run, from: [.done(status: 0)]).succeeded)
    }

    @Test func invalidEnvironmentNamesAreLeftOut() {
        var run = Self.run
        run.environment["BAD NAME"] = "x"
        run.environment["1X"] = "y"
        let program = HookProgram.render(run).description
        #expect(run.invalidEnvironmentNames == ["1X", "BAD NAME"])
        #expect(!program.contains("BAD NAME="))
        #expect(program.contains("2 environment variable(s) with names that are not valid shell names"))
    }

    @Test func readsStepsNotesAndDone() {
        let lines: [ProgramLine] = [
            .output(stream: .stdout, text: "hi"),
            .note("script:0 has no #! line; running it with /bin/sh"),
            .step(name: "script:0", status: "ok 1520"),
            .note(
                "script:1 process 42 (my server) still holds the hook's output; start background processes with >/dev/null 2>&1 </dev/null"
            ),
            .step(name: "script:1", status: "signaled:TERM 10"),
            .done(status: 1),
        ]
        let result = HookProgram.result(for: Self.run, from: lines)
        #expect(result.scripts.map(\.status) == [.succeeded, .signaled("SIGTERM")])
        #expect(result.scripts.map(\.durationMilliseconds) == [1520, 10])
        #expect(result.scripts[1].outputHolders == [.init(pid: 42, command: "my server")])
        #expect(
            result.failure
                == "Script at specified location: it's here.sh run as user deploy failed: killed by signal SIGTERM")
        #expect(
            result.warnings.first
                == "Script at specified location: scripts/start.sh has no #! line; running it with /bin/sh")
        #expect(result.errorCode == 4)
    }

    @Test func programWithoutDoneIsLost() {
        let result = HookProgram.result(for: Self.run, from: [.step(name: "script:0", status: "ok 5")])
        #expect(!result.succeeded)
        #expect(result.exitStatus == nil)
        #expect(result.failure?.contains("ended without reporting a result") == true)
        #expect(result.errorCode == 5)
    }

    @Test func doneZeroWithMissingStepsIsNotSuccess() {
        let result = HookProgram.result(
            for: Self.run, from: [.step(name: "script:0", status: "ok 5"), .done(status: 0)])
        #expect(!result.succeeded)
    }

    @Test func setupFailureReportsNotes() {
        let lines: [ProgramLine] = [
            .note("hook programs need setsid, which is missing on this host"), .step(name: "setup", status: "failed"),
            .done(status: 1),
        ]
        let result = HookProgram.result(for: Self.run, from: lines)
        #expect(
            result.failure
                == "the hook program for ApplicationStart could not prepare the host: hook programs need setsid, which is missing on this host"
        )
    }

    @Test func timeoutMessageUsesTheConfiguredSeconds() {
        let result = HookProgram.result(
            for: Self.run, from: [.step(name: "script:0", status: "timeout 300001"), .done(status: 1)])
        #expect(result.failure == "Script at specified location: scripts/start.sh failed to complete in 300 seconds")
    }
}
