/// How one build command ended: a non-zero exit is a result, never a thrown error.
public struct BuildCommandResult: Sendable, Equatable, CustomStringConvertible {
    /// The shell's termination: an exit code or the signal that ended it.
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exited \(code)"
            case .signaled(let signal): "was killed by signal \(signal)"
            }
        }
    }

    /// The command's position in `pipeline.build.commands`, from 0.
    public var index: Int
    /// How many commands the build has.
    public var total: Int
    public var command: String
    public var status: Status
    public var duration: Duration
    /// The per-command limit in seconds it ran under, nil for none.
    public var timeout: Int?
    /// The command outlived `timeout` and its process group was stopped.
    public var timedOut: Bool

    /// Exited 0 within its time.
    public var succeeded: Bool { !timedOut && status == .exited(0) }

    /// E.g. "command 2 of 3 `make site` exited 2".
    public var description: String {
        let what = "command \(index + 1) of \(total) `\(command)`"
        if timedOut { return what + " timed out after \(timeout ?? 0) s and was stopped" }
        return what + " " + status.description
    }
}
