import Foundation
import TarmacTestSupport
import Testing

/// `tarmac apply` stopping a hook: the hook and every process it started go, not just the
/// script. The hook starts a child of its own and records both pids; the test checks that both
/// are gone afterwards (the pids are this machine's: the namespace is a mount namespace only).
@Suite("tarmac apply: stopping hooks", .serialized, PrivateMounts.trait)
struct ApplyStopTests {
    /// A hook that starts `sleep 600` in the background, writes `<its pid> <the child's pid>` to
    /// /opt/held and holds until /opt/release appears (180 s at most).
    static let holdingHook = """
        #!/bin/sh
        sleep 600 >/dev/null 2>&1 </dev/null &
        echo "$$ $!" > /opt/held.tmp && mv /opt/held.tmp /opt/held
        n=0
        while [ ! -e /opt/release ] && [ "$n" -lt 1800 ]; do sleep 0.1; n=$((n + 1)); done

        """

    /// A bundle whose BeforeInstall is the holding hook, with `timeout` seconds.
    static func holdingBundle(timeout: Int) throws -> (repo: GitFixture, bundle: String) {
        let repo = try GitFixture.empty("apply-stop")
        try repo.write(
            "appspec.yml",
            "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: hold.sh\n      timeout: \(timeout)\n")
        try repo.write("hold.sh", holdingHook, executable: true)
        try repo.commitAll("a hook that holds")
        return (repo, try ApplyTests.bundlePath(repo, "\(UUID().uuidString).tar.gz"))
    }

    /// The pids the hook recorded in the namespace's /opt (copied back when the script ended).
    static func held(_ mounts: PrivateMounts) throws -> [Int32] {
        let text = try String(contentsOfFile: mounts.optDirectory + "/held", encoding: .utf8)
        let pids = text.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        try #require(pids.count == 2, "the hook recorded its pid and its child's: \(text)")
        return pids
    }

    @Test func aHookOverItsTimeoutIsStoppedWithTheChildItStarted() throws {
        let (repo, bundle) = try Self.holdingBundle(timeout: 2)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let started = Date()
        let result = try mounts.run("\"$TARMAC\" apply \"$B\" --deployment-root \"$ROOT\"", environment: ["B": bundle])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("failed to complete in 2 seconds"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 30, "the held hook was cut at its 2 s timeout")
        let pids = try Self.held(mounts)
        try waitFor("the timed-out hook and its child (pids \(pids)) to be gone", within: 15) {
            pids.allSatisfy { !processIsLive($0) }
        }
    }

    @Test func aSecondCtrlCStopsTheHookAndTheChildItStarted() throws {
        let (repo, bundle) = try Self.holdingBundle(timeout: 3600)
        defer { repo.remove() }
        let mounts = try PrivateMounts.make()
        defer { mounts.remove() }
        let result = try mounts.run(
            shellWaitFunctions + """
                "$TARMAC" apply "$B" --deployment-root "$ROOT" > /opt/stdout 2> /opt/stderr &
                pid=$!
                wait_for 60 "the hook to hold" test -e /opt/held || { kill -KILL "$pid"; exit 97; }
                kill -INT "$pid"
                wait_for 30 "tarmac to take the first Ctrl-C" grep -q "interrupted: finishing the event" /opt/stderr \\
                    || { kill -KILL "$pid"; exit 96; }
                kill -INT "$pid"
                wait "$pid"
                echo "status=$?" > /opt/status
                """, environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        let opt = mounts.optDirectory
        #expect(try String(contentsOfFile: opt + "/status", encoding: .utf8) == "status=130\n")
        #expect(try String(contentsOfFile: opt + "/stderr", encoding: .utf8).contains("aborted"))
        // Never released: the hook outlives tarmac only until its watchdog sees tarmac gone.
        let pids = try Self.held(mounts)
        try waitFor("the hook and its child (pids \(pids)) to be gone after tarmac was aborted", within: 20) {
            pids.allSatisfy { !processIsLive($0) }
        }
    }
}
