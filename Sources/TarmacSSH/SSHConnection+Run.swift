import Crypto
import Foundation
import TarmacEngine
import TarmacHost

extension SSHConnection {
    /// The largest input an edit is tried with: after a miss the input is sent again, which is
    /// cheap for a delta bundle and not for a full one.
    static let editInputLimit: Int64 = 4 << 20
    /// Below this, a program goes as it is: compressing it saves less than the `gzip` process
    /// costs the host.
    static let compressAbove = 16 << 10
    /// Below this, a program is not kept: its edit would save a few KB for a dozen processes.
    static let keepAbove = 64 << 10

    /// Runs one program on its own exec channel and judges how it ended, as the local
    /// transport does: the `@done` line is required, and a signal is a failure.
    ///
    /// The text goes gzip-compressed unless it is small. A big program with a `reuseName` goes
    /// as an edit of the last one of that name when `kept` knows it and the edit is much
    /// smaller; if the host misses (its kept text is not that one), nothing ran, and the whole
    /// program is sent.
    func run(
        _ program: ShellScript, input: ProgramInput?, kept: KeptPrograms?,
        onLine: @escaping @Sendable (ProgramLine) -> Void
    ) throws -> ProgramOutcome {
        if let lostBecause {
            throw TransportError(host: endpoint.name, message: "the connection is no longer usable: \(lostBecause)")
        }
        let text = Array((RemoteCommand.prefix + program.description).utf8)
        guard let kept, let name = program.reuseName, KeptPrograms.isPlainName(name), text.count >= Self.keepAbove
        else {
            let (payload, compressed) = Self.payload(text)
            let sent = try send(payload, input: input, onLine: onLine) {
                RemoteCommand.exec(programLength: $0, sudo: endpoint.sudo, compressed: compressed)
            }
            return try outcome(sent)
        }
        if (input?.byteCount ?? 0) <= Self.editInputLimit, let base = kept.text(for: endpoint, name: name),
            let edit = SharedEdits.shared.edit(from: base, to: text)
        {
            let script = Array(
                RemoteCommand.editScript(edit, name: name, target: Self.hex(text), sudo: endpoint.sudo).utf8)
            if script.count < text.count / 4 {
                let (payload, compressed) = Self.payload(script)
                let sent = try send(payload, input: input, onLine: Self.withoutMiss(onLine)) {
                    RemoteCommand.execEdit(length: $0, compressed: compressed)
                }
                if !sent.missed {
                    return try remembering(text, name: name, in: kept) { try outcome(sent) }
                }
            }
        }
        let sent = try send(Gzip.compress(text), input: input, onLine: onLine) {
            RemoteCommand.exec(programLength: $0, sudo: endpoint.sudo, keep: name)
        }
        return try remembering(text, name: name, in: kept) { try outcome(sent) }
    }

    /// The bytes to send for `text`: gzip-compressed from `compressAbove` on, else as they are.
    static func payload(_ text: [UInt8]) -> (bytes: [UInt8], compressed: Bool) {
        text.count >= compressAbove ? (Gzip.compress(text), true) : (text, false)
    }

    /// What one exec channel returned.
    private struct Sent {
        var lines: [ProgramLine]
        var status: Int32
        var signal: String?
        var stderr: String

        /// An edit the host could not apply: it printed only the miss line, and nothing ran.
        var missed: Bool {
            signal == nil && status == RemoteCommand.missStatus && lines == [.text(RemoteCommand.missLine)]
        }
    }

    private func send(
        _ payload: [UInt8], input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void,
        command: (Int) -> String
    ) throws -> Sent {
        let feed: StdinFeed
        do {
            feed = try StdinFeed(program: payload, inputPath: input?.path, inputLength: input?.byteCount ?? 0)
        } catch let failure as ProgramFile.Failure {
            throw TransportError(host: endpoint.name, message: failure.message)
        }
        programBytesSent += payload.count
        let channel = ChannelRun(connection: self, feed: feed, onLine: onLine)
        let result = try channel.run(command: command(feed.programLength))
        return Sent(lines: channel.lines, status: result.status, signal: result.signal, stderr: result.stderr)
    }

    /// The outcome of a program whose text the host now keeps under `name`: remembered when the
    /// program reported its end, forgotten when it was lost (the host may keep either text).
    private func remembering(
        _ text: [UInt8], name: String, in kept: KeptPrograms, _ outcome: () throws -> ProgramOutcome
    ) throws -> ProgramOutcome {
        do {
            let result = try outcome()
            kept.remember(text, for: endpoint, name: name)
            return result
        } catch {
            kept.forget(for: endpoint, name: name)
            throw error
        }
    }

    private static func withoutMiss(_ onLine: @escaping @Sendable (ProgramLine) -> Void)
        -> @Sendable (ProgramLine) -> Void
    {
        { line in if line != .text(RemoteCommand.missLine) { onLine(line) } }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    private func outcome(_ sent: Sent) throws -> ProgramOutcome {
        let detail = sent.stderr.isEmpty ? "" : ": " + sent.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if let signal = sent.signal {
            throw TransportError(host: endpoint.name, message: "the program was killed by signal SIG\(signal)" + detail)
        }
        guard case .done(let reported)? = sent.lines.last(where: { if case .done = $0 { true } else { false } }) else {
            throw TransportError(
                host: endpoint.name,
                message: "the program ended (\(sent.status)) without reporting completion" + detail)
        }
        return ProgramOutcome(lines: sent.lines, status: reported, stderr: sent.stderr)
    }
}
