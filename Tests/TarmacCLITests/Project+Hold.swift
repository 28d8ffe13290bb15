import Foundation
import TarmacTestSupport

/// Hooks that hold at a gate: how a fleet test acts while a hook runs without sleeping.
///
/// On a host named in `holdOn[event]`, the hook of revision `r` starts a background child
/// (`sleep 600`, in the hook's process group), writes `<its pid> <the child's pid>` to
/// `/var/log/<name>.hold.<event>.r<r>.held` on the host, and then waits for
/// `/var/log/<name>.hold.<event>.r<r>.release` to appear; then it ends its child and goes on.
/// A hold never released ends the hook after 180 s with exit 9 and says so.
///
/// The test reads the `.held` file through the host's root (`waitUntilHeld`), acts, and writes
/// the `.release` file (`release`). A hook stopped while it holds (a timeout, a second Ctrl-C, a
/// dropped link) must take its child with it: `processIsLive` on the recorded pids tells.
extension DeployTests.Project {
    /// The pids a held hook recorded: the script's own and its background child's.
    struct Held {
        let script: Int32
        let child: Int32
        var live: [Int32] { [script, child].filter(processIsLive) }
    }

    /// The shell text of a hold, for hook.sh (inside `if … fi`).
    static func holdCode(name: String, revision: Int) -> String {
        """
        gate="/var/log/\(name).hold.$LIFECYCLE_EVENT.r\(revision)"
            sleep 600 >/dev/null 2>&1 </dev/null &
            child=$!
            echo "$$ $child" > "$gate.tmp" && mv "$gate.tmp" "$gate.held"
            n=0
            while [ ! -e "$gate.release" ]; do
                n=$((n + 1))
                if [ "$n" -gt 1800 ]; then
                    kill "$child"
                    echo "held at $LIFECYCLE_EVENT for 180 s and never released" >&2
                    exit 9
                fi
                sleep 0.1
            done
            kill "$child"
        """
    }

    private func gate(_ host: Fleet.Host, _ event: String, _ revision: Int?) -> String {
        fleet.root(of: host) + "/var/log/\(name).hold.\(event).r\(revision ?? self.revision)"
    }

    /// The pids the hook holding at `event` on `host` recorded, or nil before it got there.
    func held(_ host: Fleet.Host, _ event: String, revision: Int? = nil) -> Held? {
        guard let text = try? String(contentsOfFile: gate(host, event, revision) + ".held", encoding: .utf8)
        else { return nil }
        let pids = text.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        return pids.count == 2 ? Held(script: pids[0], child: pids[1]) : nil
    }

    /// Waits (bounded) until the hook of `revision` (default: the newest) holds at `event` on `host`.
    @discardableResult
    func waitUntilHeld(_ host: Fleet.Host, _ event: String, revision: Int? = nil, within seconds: Double = 90)
        throws -> Held
    {
        var found: Held?
        try waitFor("the \(event) hook of revision \(revision ?? self.revision) to hold on \(host)", within: seconds) {
            found = held(host, event, revision: revision)
            return found != nil
        }
        return found!
    }

    /// Lets the hook holding (or about to hold) at `event` on `host` go on.
    func release(_ host: Fleet.Host, _ event: String, revision: Int? = nil) throws {
        try Data().write(to: URL(fileURLWithPath: gate(host, event, revision) + ".release"))
    }

    /// Starts `tarmac deploy fleet` with `arguments` in the background.
    func startDeploy(_ arguments: String...) throws -> BackgroundCommand {
        try BackgroundCommand(TestPaths.tarmac, ["deploy", "fleet"] + arguments, in: repo.root)
    }
}
