/// What a hook program reported for one lifecycle event: one result per script it reached,
/// the warnings it printed, and whether the event succeeded. A non-zero exit status is a
/// result, not an error; a program that ended without `@done` is reported as lost.
public struct HookResult: Sendable, Equatable {
    /// How one script ended.
    public enum Status: Sendable, Equatable {
        case succeeded
        /// The file is not in the revision (spec §3.2).
        case missing
        /// It was not executable and `chmod a+x` failed.
        case notExecutable
        /// The `runas` user has no passwd entry on the host.
        case unknownUser
        case failed(exitCode: Int32)
        /// Killed by a signal, named like `SIGKILL`.
        case signaled(String)
        case timedOut
        /// A status this version does not know (a newer program on the host).
        case unknown(String)

        /// The diagnostics error code of spec §3.8 (0 succeeded … 4 script failed).
        public var errorCode: Int {
            switch self {
            case .succeeded: 0
            case .missing: 1
            case .notExecutable: 2
            case .timedOut: 3
            case .failed, .signaled, .unknownUser: 4
            case .unknown: 5
            }
        }

        init(step: Substring) {
            switch step {
            case "ok": self = .succeeded
            case "missing": self = .missing
            case "not-executable": self = .notExecutable
            case "unknown-user": self = .unknownUser
            case "timeout": self = .timedOut
            default:
                if step.hasPrefix("failed:"), let code = Int32(step.dropFirst(7)) {
                    self = .failed(exitCode: code)
                } else if step.hasPrefix("signaled:") {
                    self = .signaled("SIG" + step.dropFirst(9))
                } else {
                    self = .unknown(String(step))
                }
            }
        }
    }

    /// A process that still had a script's stdout or stderr open after the script ended.
    public struct OutputHolder: Sendable, Equatable {
        public var pid: Int
        public var command: String

        public init(pid: Int, command: String) {
            self.pid = pid
            self.command = command
        }
    }

    /// One script the program reached, in AppSpec order.
    public struct ScriptResult: Sendable, Equatable {
        public var index: Int
        public var location: String
        public var status: Status
        /// Wall-clock time from start to exit (0 when it never started).
        public var durationMilliseconds: Int
        /// Why it failed, in words a person can act on; `nil` when it succeeded.
        public var message: String?
        public var outputHolders: [OutputHolder]
    }

    public var scripts: [ScriptResult]
    /// Warnings, each naming the script it is about.
    public var warnings: [String]
    /// The status of `@done`; `nil` when the program ended without it (lost).
    public var exitStatus: Int32?
    /// Why the event failed; `nil` when it succeeded.
    public var failure: String?

    /// True when the program finished and every script succeeded.
    public var succeeded: Bool { failure == nil }

    /// The diagnostics error code of the event (spec §3.8): the failing script's, or 5.
    public var errorCode: Int {
        guard failure != nil else { return 0 }
        return scripts.first { $0.status != .succeeded }?.status.errorCode ?? 5
    }
}
