import CSSH2
import Foundation
import TarmacEngine
import TarmacHost

/// One program on one exec channel, driven non-blocking: stdin is written while stdout and
/// stderr are drained (never one stream alone: the 2 MiB window is shared), stdout is parsed
/// line by line as it arrives, and every wait is a `poll` on the directions libssh2 reports.
final class ChannelRun {
    /// Which call left a half-sent packet behind: only that call may run until it is flushed
    /// (any other send would be refused with LIBSSH2_ERROR_BAD_USE).
    private enum Owner {
        case read, write, sendEOF
    }

    let connection: SSHConnection
    let onLine: @Sendable (ProgramLine) -> Void
    private let feed: StdinFeed
    private let waiter: SocketWaiter
    private var channel: OpaquePointer?
    private var owner: Owner?
    private var eofSent = false
    private var stdout = LineSplitter()
    private var stderr = StderrCollector()
    private(set) var lines: [ProgramLine] = []
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

    init(connection: SSHConnection, feed: StdinFeed, onLine: @escaping @Sendable (ProgramLine) -> Void) {
        self.connection = connection
        self.feed = feed
        self.onLine = onLine
        self.waiter = SocketWaiter(connection: connection)
    }

    deinit {
        readBuffer.deallocate()
        // After a failure the session is abandoned; libssh2_session_free releases the channel.
        if let channel, connection.lostBecause == nil { libssh2_channel_free(channel) }
    }

    /// Runs the command and returns its exit status, exit signal (if any) and stderr.
    func run(command: String) throws -> (status: Int32, signal: String?, stderr: String) {
        libssh2_session_set_blocking(connection.session, 0)
        defer { libssh2_session_set_blocking(connection.session, 1) }
        let channel = try open()
        self.channel = channel
        try startup(channel, command)
        try pump(channel)
        let (status, signal) = try finish(channel)
        return (status, signal, stderr.text)
    }

    private func open() throws -> OpaquePointer {
        while true {
            if let channel = libssh2_channel_open_ex(
                connection.session, "session", 7, UInt32(2 << 20), 32768, nil, 0)
            {
                return channel
            }
            let code = libssh2_session_last_errno(connection.session)
            guard code == LibSSH2Code.eagain else { throw connection.failure("while opening a channel", code: code) }
            try waiter.wait("while opening a channel")
        }
    }

    private func startup(_ channel: OpaquePointer, _ command: String) throws {
        while true {
            let code = libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count))
            if code == 0 { return }
            guard code == LibSSH2Code.eagain else { throw connection.failure("while starting the program", code: code) }
            try waiter.wait("while starting the program")
        }
    }

    /// Moves bytes both ways until the remote side ends its output.
    private func pump(_ channel: OpaquePointer) throws {
        while true {
            var progressed = false
            if owner == nil || owner == .read { progressed = try drain(channel) || progressed }
            if owner == nil || owner == .write || owner == .sendEOF { progressed = try send(channel) || progressed }
            if libssh2_channel_eof(channel) != 0 && owner == nil {
                _ = try drain(channel)
                break
            }
            if progressed {
                waiter.noteActivity()
            } else {
                try waiter.wait(phase, writing: owner != nil, idle: owner == nil)
            }
        }
        stdout.finish { deliver($0) }
    }

    private var phase: String {
        if eofSent { return "while running the program" }
        if feed.sendingProgram { return "while sending the program" }
        return "while sending \(feed.inputPath ?? "the input")"
    }

    /// Reads whatever both streams hold; true if anything arrived.
    private func drain(_ channel: OpaquePointer) throws -> Bool {
        var progressed = false
        for stream: Int32 in [0, SSH_EXTENDED_DATA_STDERR] {
            while true {
                let count = libssh2_channel_read_ex(channel, stream, readBuffer.baseAddress, readBuffer.count)
                if count > 0 {
                    progressed = true
                    try take(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]), stream: stream)
                    continue
                }
                try settle(Int32(count), by: .read, doing: phase)
                break
            }
        }
        return progressed
    }

    private func take(_ bytes: UnsafeRawBufferPointer, stream: Int32) throws {
        guard stream == 0 else { return stderr.append(bytes) }
        do {
            try stdout.feed(bytes) { deliver($0) }
        } catch {
            connection.lostBecause = "the program printed a line longer than 1 MiB"
            throw TransportError(host: connection.endpoint.name, message: connection.lostBecause!)
        }
    }

    private func deliver(_ line: Substring) {
        let parsed = ProgramLine.parse(line)
        lines.append(parsed)
        onLine(parsed)
    }

    /// Writes the next stdin bytes, or EOF once all are sent; true if anything went out.
    private func send(_ channel: OpaquePointer) throws -> Bool {
        if eofSent { return false }
        let doing = phase
        let pending: UnsafeRawBufferPointer?
        do {
            pending = try feed.pending()
        } catch let failure as ProgramFile.Failure {
            connection.lostBecause = failure.message
            throw TransportError(host: connection.endpoint.name, message: failure.message + " " + doing)
        }
        guard let pending else {
            let code = libssh2_channel_send_eof(channel)
            if code == 0 { eofSent = true }
            try settle(code, by: .sendEOF, doing: "while ending the program's input")
            return code == 0
        }
        let count = libssh2_channel_write_ex(channel, 0, pending.baseAddress, pending.count)
        if count > 0 { feed.consume(count) }
        let code = Int32(clamping: min(count, 0))
        if code < 0 && code != LibSSH2Code.eagain && libssh2_channel_eof(channel) != 0 {
            // The program ended without reading all its input: nothing more to send.
            eofSent = true
            return true
        }
        try settle(code, by: .write, doing: doing)
        if count <= 0 && owner == nil && libssh2_channel_eof(channel) != 0 {
            eofSent = true
            return true
        }
        return count > 0
    }

    /// Records who owns a half-sent packet after EAGAIN; throws for real errors.
    private func settle(_ code: Int32, by caller: Owner, doing: String) throws {
        if code == LibSSH2Code.eagain {
            let outbound = libssh2_session_block_directions(connection.session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
            if outbound { owner = caller } else if owner == caller { owner = nil }
            return
        }
        if owner == caller { owner = nil }
        guard code >= 0 else {
            connection.lostBecause = "the connection failed \(doing)"
            throw connection.failure(doing, code: code)
        }
    }

    /// Closes the channel and collects the exit status and signal (a killed command reports 0).
    private func finish(_ channel: OpaquePointer) throws -> (Int32, String?) {
        try repeatUntilDone("while closing the channel") { libssh2_channel_close(channel) }
        try repeatUntilDone("while closing the channel") { libssh2_channel_wait_closed(channel) }
        let status = libssh2_channel_get_exit_status(channel)
        var signal: UnsafeMutablePointer<CChar>?
        var length = 0
        libssh2_channel_get_exit_signal(channel, &signal, &length, nil, nil, nil, nil)
        defer { free(signal) }
        let name = signal.map { String(cString: $0) }
        return (status, name)
    }

    private func repeatUntilDone(_ doing: String, _ call: () -> Int32) throws {
        while true {
            let code = call()
            if code == 0 { return }
            guard code == LibSSH2Code.eagain else {
                connection.lostBecause = "the connection failed \(doing)"
                throw connection.failure(doing, code: code)
            }
            try waiter.wait(doing)
        }
    }
}
