import Foundation

/// Waiting on events instead of sleeping: a test polls for what it waits for (a file a hook
/// writes, a line tarmac prints, a process gone) and fails, saying what it waited for, when a
/// deadline passes first. A fixed sleep is never a synchronisation.
public struct WaitTimeout: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double
    public var description: String { "timed out after \(seconds) s waiting for \(what)" }
}

/// Polls `condition` every 20 ms until it holds; throws `WaitTimeout` naming `what` once
/// `seconds` have passed without it.
public func waitFor(_ what: String, within seconds: Double = 60, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else { throw WaitTimeout(what: what, seconds: seconds) }
        Thread.sleep(forTimeInterval: 0.02)
    }
}

/// True while process `pid` exists and has not exited (a zombie, exited but not yet reaped,
/// counts as gone). The fleet's hosts share this machine's process table, so this sees theirs too.
public func processIsLive(_ pid: Int32) -> Bool {
    guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    // After "pid (comm) " comes the state.
    return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
}

/// Shell functions for scripts that wait on events (sourced into a `sh -c` script):
///
///     wait_for SECONDS WHAT COMMAND...
///
/// runs COMMAND every 50 ms until it succeeds; after SECONDS it prints
/// `timed out after SECONDS s waiting for WHAT` to stderr and returns 1.
public let shellWaitFunctions = """
    wait_for() {
        wait_for_seconds=$1; wait_for_what=$2; shift 2
        wait_for_limit=$(( $(date +%s) + wait_for_seconds ))
        until "$@"; do
            if [ "$(date +%s)" -ge "$wait_for_limit" ]; then
                echo "timed out after $wait_for_seconds s waiting for $wait_for_what" >&2
                return 1
            fi
            sleep 0.05
        done
    }

    """

/// A command started in the background with its output in two files, for tests that act
/// while it runs (send it Ctrl-C, cut a link, start a second one) and then wait for its end.
public final class BackgroundCommand: @unchecked Sendable {
    private let process = Process()
    public let stdoutPath: String
    public let stderrPath: String
    private let directory: String

    /// Starts `executable` with `arguments` in `directory`; output goes to files in a new temporary directory.
    public init(
        _ executable: String, _ arguments: [String], in workingDirectory: String, environment: [String: String] = [:]
    )
        throws
    {
        directory = try TestPaths.temporaryDirectory("background")
        stdoutPath = directory + "/stdout"
        stderrPath = directory + "/stderr"
        for path in [stdoutPath, stderrPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends SIGINT, as Ctrl-C would.
    public func interrupt() { kill(process.processIdentifier, SIGINT) }

    /// Waits up to `seconds` for the command to end and returns its status; after that it is
    /// killed and `WaitTimeout` thrown.
    public func wait(within seconds: Double = 120, what: String = "the command to finish") throws -> Int32 {
        do {
            try waitFor(what, within: seconds) { !process.isRunning }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw error
        }
        return process.terminationStatus
    }

    /// Kills the command if it still runs and removes its output files.
    public func remove() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
