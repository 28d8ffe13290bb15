import TarmacEngine

/// Runs tarmac's programs on one host: the seam between the engine and the wire.
///
/// A local implementation runs them with this machine's `sh` (`tarmac apply`); an SSH one
/// runs them over an exec channel. Either way the program's own `@done` line is the proof
/// that it ran to the end: a program that ends without one was lost, and that is an error
/// naming the host, never a success.
public protocol HostTransport: Sendable {
    /// How messages name the host.
    var hostName: String { get }

    /// Runs `program` with `input` (if any) on its standard input, handing every stdout line
    /// to `onLine` as it arrives.
    func run(_ program: ShellScript, input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void)
        async throws -> ProgramOutcome
}

extension HostTransport {
    /// Runs `program` with nothing on its standard input.
    public func run(_ program: ShellScript, onLine: @escaping @Sendable (ProgramLine) -> Void) async throws
        -> ProgramOutcome
    {
        try await run(program, input: nil, onLine: onLine)
    }
}

/// A local file a program reads on its standard input (the bundle DownloadBundle receives):
/// exactly `byteCount` bytes, streamed, never held in memory.
public struct ProgramInput: Sendable, Equatable {
    public var path: String
    public var byteCount: Int64

    public init(path: String, byteCount: Int64) {
        self.path = path
        self.byteCount = byteCount
    }
}

/// How a program ended.
public struct ProgramOutcome: Sendable, Equatable {
    /// Every line the program printed on stdout, parsed.
    public var lines: [ProgramLine]
    /// The status the program reported with `@done`.
    public var status: Int32
    /// What it printed on stderr (tools' own complaints).
    public var stderr: String

    public init(lines: [ProgramLine], status: Int32, stderr: String) {
        self.lines = lines
        self.status = status
        self.stderr = stderr
    }

    public var succeeded: Bool { status == 0 }

    /// The `@note` lines: warnings for the user.
    public var notes: [String] {
        lines.compactMap { if case .note(let text) = $0 { return text } else { return nil } }
    }
}

/// A program that could not run or did not finish: always names the host.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var host: String
    public var message: String

    public init(host: String, message: String) {
        self.host = host
        self.message = message
    }

    public var description: String { "\(host): \(message)" }
}
