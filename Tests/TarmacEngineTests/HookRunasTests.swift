import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// Why runas tests cannot run here: they create a user with useradd.
private let runasMissing = Requirement.root(for: "creating a user with useradd")

/// `runas` with a user created for the test (needs root, as CI has).
@Suite("Hook runas", Requirement.trait { runasMissing })
struct HookRunasTests {
    init() throws { try Requirement.check(runasMissing) }

    @Test func scriptRunsAsTheUserWithItsAccount() throws {
        let user = "tmhook\(UInt16.random(in: 1000...65000))"
        try runCommand("/usr/sbin/useradd", ["-m", "-s", "/bin/sh", user], check: true)
        defer { _ = try? runCommand("/usr/sbin/userdel", ["-r", user]) }
        let hook = try HookHarness()
        defer { hook.remove() }
        let who = try hook.script(
            "who.sh", "#!/bin/sh\nid -un\necho \"$HOME $USER $LOGNAME $SHELL\"\npwd\n", runas: user)
        let fail = try hook.script("fail.sh", "#!/bin/sh\nexit 4\n", runas: user)
        let outcome = try hook.execute(hook.run([who, fail]))

        #expect(outcome.stdoutLines == [user, "/home/\(user) \(user) \(user) /bin/sh", "/"])
        #expect(outcome.statuses == [.succeeded, .failed(exitCode: 4)])
        #expect(
            outcome.result.failure
                == "Script at specified location: fail.sh run as user \(user) failed with exit code 4")
    }

    @Test func unknownUserFailsClearly() throws {
        let hook = try HookHarness()
        defer { hook.remove() }
        let script = try hook.script("x.sh", "#!/bin/sh\necho should-not-run\n", runas: "no-such-user-tarmac")
        let outcome = try hook.execute(hook.run([script]))
        #expect(outcome.statuses == [.unknownUser])
        #expect(outcome.stdoutLines.isEmpty)
        #expect(outcome.result.failure?.contains("cannot run as user no-such-user-tarmac: no such user") == true)
    }
}
