import TarmacEngine
import TarmacHost

/// Reads and writes tarmac's own records on a host over its transport (`HostRecordProgram`).
public struct HostRecords: Sendable {
    /// Why a record could not be read or written: an unsafe deployment root, or a failed program.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        /// True when the deployment root or the record is not safe (exit 2 for `apply`).
        public var unsafe: Bool
        public var description: String { message }
    }

    public let transport: any HostTransport
    public let layout: HostLayout

    public init(transport: any HostTransport, layout: HostLayout) {
        self.transport = transport
        self.layout = layout
    }

    /// The record's bytes, or nil when it does not exist.
    public func read(_ path: String, in directory: String) async throws -> [UInt8]? {
        try await read([path], directories: [directory])[0]
    }

    /// Several records' bytes in one program (nil for one that does not exist), after every
    /// directory of `directories` and every record passed the same checks as `read`'s.
    public func read(_ records: [String], directories: [String]) async throws -> [[UInt8]?] {
        let outcome = try await run(HostRecordProgram.read(records, directories: directories, layout: layout))
        guard let found = ReadFileProgram.parseAll(outcome.lines) else {
            throw Problem(message: "\(transport.hostName): the records were not read whole", unsafe: false)
        }
        return records.indices.map { found[$0] }
    }

    /// Writes the records atomically into `directory`.
    public func write(_ records: [(path: String, text: String)], in directory: String, label: StaticString)
        async throws
    {
        _ = try await run(HostRecordProgram.write(records, in: directory, layout: layout, label: label))
    }

    private func run(_ program: ShellScript) async throws -> ProgramOutcome {
        let outcome: ProgramOutcome
        do {
            outcome = try await transport.run(program) { _ in }
        } catch {
            throw Problem(message: "\(error)", unsafe: false)
        }
        guard outcome.succeeded else {
            let unsafe = outcome.lines.contains { $0 == .step(name: "root", status: "failed") }
            let why = outcome.notes.last ?? outcome.stderr.split(separator: "\n").last.map(String.init) ?? "failed"
            throw Problem(message: "\(transport.hostName): \(why)", unsafe: unsafe)
        }
        return outcome
    }
}
