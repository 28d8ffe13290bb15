import Foundation

/// Starts tarmac again, detached: a new session (no controlling terminal, so the shell or
/// `git commit` that started it can end), stdin from /dev/null, stdout and stderr appended
/// to a log file, and no inherited `GIT_*` variable (a post-commit hook passes a relative
/// `GIT_INDEX_FILE` and a frozen author date).
public enum BackgroundProcess {
    /// glibc's `POSIX_SPAWN_SETSID` (2.26+), which the Glibc module does not export.
    private static let spawnSetsid: Int16 = 0x80

    /// Spawns `arguments` of this binary; returns the child's pid without waiting for it.
    public static func start(_ arguments: [String], log: String) throws -> Int32 {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, spawnSetsid | Int16(POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Every other descriptor stays behind: a pipe inherited from whoever ran the hook would
        // keep them waiting for an end of file until the execution is over.
        for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment =
            ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
        guard status == 0 else {
            throw SpawnError(
                description: "cannot start \(executable) in the background: \(String(cString: strerror(status)))")
        }
        return pid
    }
}

extension BackgroundProcess {
    /// This process's open file descriptors, from /proc/self/fd.
    fileprivate static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }.filter { fcntl($0, F_GETFD) != -1 }
    }
}

/// A background process that could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public var description: String
}
