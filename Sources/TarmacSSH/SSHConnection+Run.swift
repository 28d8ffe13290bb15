import TarmacEngine
import TarmacHost

extension SSHConnection {
    /// Runs one program on its own exec channel and judges how it ended, as the local
    /// transport does: the `@done` line is required, and a signal is a failure.
    func run(_ program: ShellScript, input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void)
        throws -> ProgramOutcome
    {
        if let lostBecause {
            throw TransportError(host: endpoint.name, message: "the connection is no longer usable: \(lostBecause)")
        }
        let feed: StdinFeed
        do {
            feed = try StdinFeed(
                program: RemoteCommand.prefix + program.description, inputPath: input?.path,
                inputLength: input?.byteCount ?? 0)
        } catch let failure as ProgramFile.Failure {
            throw TransportError(host: endpoint.name, message: failure.message)
        }
        let command = RemoteCommand.exec(programLength: feed.programLength, sudo: endpoint.sudo)
        let channel = ChannelRun(connection: self, feed: feed, onLine: onLine)
        let result = try channel.run(command: command)
        return try outcome(lines: channel.lines, status: result.status, signal: result.signal, stderr: result.stderr)
    }

    private func outcome(lines: [ProgramLine], status: Int32, signal: String?, stderr: String) throws
        -> ProgramOutcome
    {
        let detail = stderr.isEmpty ? "" : ": " + stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if let signal {
            throw TransportError(host: endpoint.name, message: "the program was killed by signal SIG\(signal)" + detail)
        }
        guard case .done(let reported)? = lines.last(where: { if case .done = $0 { true } else { false } }) else {
            throw TransportError(
                host: endpoint.name, message: "the program ended (\(status)) without reporting completion" + detail)
        }
        return ProgramOutcome(lines: lines, status: reported, stderr: stderr)
    }
}
