import Synchronization
import TarmacEngine
import TarmacHost

/// A host for unit tests: answers tarmac's programs from a script, and records every program it
/// was sent. Which program it is comes from the program's first line (its title comment).
final class RecordingTransport: HostTransport {
    /// The kinds of program tarmac sends.
    enum Program: Hashable, Sendable {
        case lock, unlock, probe, download, delta, install, readFile, digest
        /// The receipt's two programs: gather what it needs, then write (and sign) it.
        case receiptGather, receiptWrite
        /// The hook program of this event.
        case hook(String)
        case unknown(String)

        init(_ script: ShellScript) {
            let title = script.lines.first ?? ""
            let kinds: [(String, Program)] = [
                ("# tarmac: take the host lock", .lock), ("# tarmac: release the host lock", .unlock),
                ("# tarmac: probe", .probe), ("# tarmac: download the delta", .delta),
                ("# tarmac: download", .download), ("# tarmac: install", .install),
                ("# Print the first existing file", .readFile), ("# SHA-256 of files", .digest),
                ("# tarmac: gather what the receipt needs", .receiptGather),
                ("# tarmac: write the receipt", .receiptWrite),
            ]
            if let kind = kinds.first(where: { title.hasPrefix($0.0) }) {
                self = kind.1
            } else if title.hasPrefix("# tarmac: hook program: "),
                let event = title.split(separator: " ").dropFirst(4).first
            {
                self = .hook(String(event))
            } else {
                self = .unknown(title)
            }
        }
    }

    /// What the host answers to one program.
    enum Answer: Sendable {
        /// Protocol lines (one per line), the status being `@done`'s; and what it said on stderr.
        case says(String, stderr: String = "")
        /// The connection is lost while the program runs.
        case lost

        static let ok = Answer.says("@done 0")
    }

    let hostName: String
    private let answers: Mutex<[Program: [Answer]]>
    private let log = Mutex<[Program]>([])

    /// A host that answers `answers[kind]` in order (the last one again once they run out), and
    /// success (`defaultAnswer`) to every program without an answer.
    init(hostName: String = "h1", answers: [Program: [Answer]] = [:]) {
        self.hostName = hostName
        self.answers = Mutex(answers)
    }

    /// Success: `@done 0`, and for a hook program its (one) script's `ok` step.
    static func defaultAnswer(_ kind: Program) -> Answer {
        if case .hook = kind { return .says("@step script:0 ok 1\n@done 0") }
        return .ok
    }

    /// Every program sent so far, in order.
    var sent: [Program] { log.withLock { $0 } }

    /// The next answer for `kind` (the last one again once they run out).
    private func next(_ kind: Program) -> Answer {
        answers.withLock { queue -> Answer in
            guard let next = queue[kind]?.first else { return Self.defaultAnswer(kind) }
            if queue[kind]!.count > 1 { queue[kind]!.removeFirst() }
            return next
        }
    }

    /// How many programs were sent: the lock program that probes counts once, though `sent`
    /// lists it as `.lock, .probe`.
    var programCount: Int { programs.withLock { $0 } }
    private let programs = Mutex(0)

    func run(_ program: ShellScript, input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void)
        async throws -> ProgramOutcome
    {
        let kind = Program(program)
        programs.withLock { $0 += 1 }
        log.withLock { $0.append(kind) }
        var answer = next(kind)
        // The lock program that probes once it holds the lock: answered as the lock, then, when
        // the lock was taken, as the probe (`@step lock ok` between the two).
        if kind == .lock, program.lines.first?.contains(", then probe group") == true,
            case .says(let locked, let lockStderr) = answer, locked.hasSuffix("@done 0")
        {
            log.withLock { $0.append(.probe) }
            let head = locked.split(separator: "\n").filter { !$0.hasPrefix("@done") && $0 != "@step lock ok" }
            switch next(.probe) {
            case .lost: answer = .lost
            case .says(let probed, let probeStderr):
                answer = .says(
                    (head + ["@step lock ok", Substring(probed)]).joined(separator: "\n"),
                    stderr: lockStderr + probeStderr)
            }
        }
        switch answer {
        case .lost: throw TransportError(host: hostName, message: "the connection was lost")
        case .says(let text, let stderr):
            let lines = text.split(separator: "\n").map { ProgramLine.parse($0) }
            lines.forEach(onLine)
            let status = lines.compactMap { if case .done(let status) = $0 { status } else { nil } }.last
            guard let status else { throw TransportError(host: hostName, message: "the program ended without @done") }
            return ProgramOutcome(lines: lines, status: status, stderr: stderr)
        }
    }
}
