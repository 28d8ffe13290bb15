import Foundation

/// A process on this machine, told apart from a later one that reuses its id by its start
/// time (field 22 of `/proc/<pid>/stat`, in clock ticks since boot).
public struct RunnerIdentity: Sendable, Equatable {
    public var pid: Int32
    public var startTicks: Int64

    public init(pid: Int32, startTicks: Int64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    /// This process.
    public static var current: RunnerIdentity {
        let pid = getpid()
        return RunnerIdentity(pid: pid, startTicks: startTicks(of: pid) ?? 0)
    }

    /// Another process, if it exists.
    public static func of(_ pid: Int32) -> RunnerIdentity? {
        startTicks(of: pid).map { RunnerIdentity(pid: pid, startTicks: $0) }
    }

    /// Whether this very process still runs (and is not a zombie).
    public var isAlive: Bool {
        guard let stat = Self.stat(of: pid) else { return false }
        return stat.state != "Z" && stat.start == startTicks
    }

    /// Whether `pid` has exited and only waits to be reaped (a killed tarmac whose parent is gone
    /// may stay so where PID 1 does not reap).
    static func isZombie(_ pid: Int32) -> Bool {
        stat(of: pid)?.state == "Z"
    }

    static func startTicks(of pid: Int32) -> Int64? {
        stat(of: pid)?.start
    }

    /// State and start time from `/proc/<pid>/stat`; the command name may hold spaces and
    /// parentheses, so fields are counted from the last `)`.
    private static func stat(of pid: Int32) -> (state: Character, start: Int64)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
            let text = String(data: data, encoding: .utf8), let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        guard fields.count > 19, let state = fields[0].first, let start = Int64(fields[19]) else { return nil }
        return (state, start)
    }
}
