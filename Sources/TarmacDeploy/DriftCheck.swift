import TarmacEngine
import TarmacHost

/// `tarmac verify` on one host: one program over its transport, read-only.
public enum DriftCheck {
    /// How one host stands.
    public enum Outcome: Sendable, Equatable {
        case checked(DriftReport)
        /// Nothing to compare: no installed record for the group (never installed, or the last Install failed).
        case noRecord
        /// The deployment root or the record is not safe, or the record is damaged (invalid: exit 2).
        case unsafe(String)
        /// The host could not be checked (unreachable, the program failed).
        case failed(String)
    }

    public static func run(_ transport: any HostTransport, layout: HostLayout, full: Bool) async -> Outcome {
        let outcome: ProgramOutcome
        do {
            outcome = try await transport.run(DriftProgram.render(layout: layout, full: full)) { _ in }
        } catch {
            return .failed("\(error)")
        }
        guard outcome.succeeded else {
            let why = outcome.notes.joined(separator: "; ")
            if outcome.lines.contains(.step(name: "root", status: "failed")) { return .unsafe(why) }
            return .failed(why.isEmpty ? outcome.stderr : why)
        }
        switch DriftReport.read(outcome.lines) {
        case .noRecord: return .noRecord
        case .damaged:
            return .unsafe("\(layout.installedFile) is not a record tarmac wrote; check it, then remove it")
        case .report(let report): return .checked(report)
        }
    }
}
