import Foundation
import Subprocess
import SystemPackage
import TarmacHost

/// Runs one build command as `/bin/sh -c COMMAND` in a session (and so a process group) of
/// its own, streaming its output line by line, and makes sure nothing it started outlives it.
///
/// When the shell exits, whatever it left running in its group is killed: a build's background
/// jobs must not keep running in a directory that is about to be removed, nor keep our pipes
/// open. Over the time limit, or when the task is cancelled, the group gets SIGTERM, then
/// SIGKILL after `grace`.
struct BuildCommandRunner: Sendable {
    var directory: String
    var environment: [String: String]
    /// Per-command limit; nil for none.
    var timeout: Duration?
    var grace: Duration = .seconds(2)

    /// How the command ended.
    struct Ending: Sendable {
        var status: BuildCommandResult.Status
        var timedOut: Bool
    }

    private typealias BuildExecution = Execution<NoInput, SequenceOutput, SequenceOutput>

    private enum Finished: Sendable {
        case stream
        case watchdog(fired: Bool)
    }

    /// Runs `command`, handing every complete line of its stdout and stderr to `emit`.
    func run(
        _ command: String, emit: @escaping @Sendable (BuildLine.Stream, String) -> Void
    ) async throws -> Ending {
        var options = PlatformOptions()
        // A new session is a new process group; `processGroupID` would be ignored with it.
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: grace)]
        let teardown = options.teardownSequence
        let timeout = self.timeout
        let result = try await Subprocess.run(
            .path(FilePath("/bin/sh")), arguments: ["-c", command], environment: commandEnvironment,
            workingDirectory: FilePath(directory), platformOptions: options, input: .none,
            output: .sequence, error: .sequence
        ) { execution in
            await Self.supervise(execution, timeout: timeout, teardown: teardown, emit: emit)
        }
        let status: BuildCommandResult.Status
        switch result.terminationStatus {
        case .exited(let code): status = .exited(code)
        case .signaled(let signal): status = .signaled(signal)
        }
        return Ending(status: status, timedOut: result.closureResult)
    }

    /// This process's environment without any `GIT_*` (a post-commit hook's `GIT_INDEX_FILE`
    /// would point the build's own git calls at the user's index), plus `environment`.
    var commandEnvironment: Environment {
        var values: [Environment.Key: String] = [:]
        for (key, value) in ProcessInfo.processInfo.environment where !key.hasPrefix("GIT_") {
            if let key = Environment.Key(rawValue: key) { values[key] = value }
        }
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { values[key] = value }
        }
        return .custom(values)
    }

    /// Pumps both streams, enforces the limit, and once the shell has exited kills its group;
    /// returns whether the limit was hit.
    ///
    /// The streams end when the shell exits even if a background job still holds them
    /// (swift-subprocess stops reading then, after draining what is buffered).
    private static func supervise(
        _ execution: BuildExecution, timeout: Duration?, teardown: [TeardownStep],
        emit: @escaping @Sendable (BuildLine.Stream, String) -> Void
    ) async -> Bool {
        await withTaskGroup(of: Finished.self) { group in
            group.addTask {
                await pump(execution.standardOutput, .stdout, emit)
                return .stream
            }
            group.addTask {
                await pump(execution.standardError, .stderr, emit)
                return .stream
            }
            if let timeout {
                group.addTask {
                    do { try await Task.sleep(for: timeout) } catch { return .watchdog(fired: false) }
                    await execution.teardown(using: teardown)
                    return .watchdog(fired: true)
                }
            }
            var open = 2
            var timedOut = false
            while open > 0, let finished = await group.next() {
                if case .watchdog(let fired) = finished { timedOut = timedOut || fired } else { open -= 1 }
            }
            // Both streams may close while the shell still runs (`exec >/dev/null 2>&1`): the
            // limit keeps applying until it exits.
            await waitForExit(execution.processIdentifier.value)
            group.cancelAll()
            for await finished in group {
                if case .watchdog(true) = finished { timedOut = true }
            }
            // The shell is a zombie until `run` reaps it, so its group id cannot have been reused.
            // The group may already be gone; there is nothing more to do either way.
            try? execution.send(signal: .kill, toProcessGroup: true)
            return timedOut
        }
    }

    private static func pump(
        _ sequence: SubprocessOutputSequence, _ stream: BuildLine.Stream,
        _ emit: @escaping @Sendable (BuildLine.Stream, String) -> Void
    ) async {
        var splitter = LineSplitter()
        let handle: (Substring) -> Void = { emit(stream, String($0)) }
        do {
            for try await chunk in sequence {
                chunk.withUnsafeBytes { bytes in
                    // A line over the splitter's limit is handed on in pieces rather than lost.
                    do { try splitter.feed(bytes, emit: handle) } catch { splitter.finish(emit: handle) }
                }
            }
        } catch {
            // A read error ends this stream; the shell's status still tells how it went.
        }
        splitter.finish(emit: handle)
    }

    /// Returns once `pid` has exited, without reaping it (swift-subprocess does that), on a
    /// thread of its own since waitid blocks.
    private static func waitForExit(_ pid: pid_t) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
                continuation.resume()
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }
}
