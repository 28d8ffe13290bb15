import CSSH2
import Foundation
import Synchronization
import TarmacHost

/// A jump host's connection and the thread that owns it: it opens direct-tcpip channels on
/// request and pumps each one to a socket pair whose other end a target's session runs on.
///
/// libssh2 wants a session used by one thread at a time, so every libssh2 call on this
/// session happens on the loop's own thread (never the cooperative pool); other threads
/// only queue requests and wake it through a pipe. The session is non-blocking and
/// multiplexed; after EAGAIN with a half-sent packet, only the call that left it may run
/// until it is flushed (`owner`), as libssh2 1.10 requires.
final class JumpLoop: @unchecked Sendable {
    struct Request {
        var host: String
        var port: Int
        var timeout: Duration
        var status: TunnelStatus
        var reply: @Sendable (Result<Int32, JumpFailure>) -> Void
    }

    enum Op: Equatable {
        case open, write(Int), eof(Int), read(Int), free(Int), keepalive
    }

    private struct Inbox {
        var requests: [Request] = []
        var stop = false
        var lost: String?
        /// An open outlasted its timeout and cannot be cancelled: the loop opens no more
        /// channels (its tunnels go on); requests go to a fresh connection (`isStuck`).
        var stuck = false
    }

    let endpoint: SSHEndpoint
    /// `jump host NAME (user@address)`, for messages.
    let label: String
    private var connection: SSHConnection?
    let session: OpaquePointer
    let socket: Int32
    /// A pipe: a byte written wakes the loop's `poll`.
    let wake: (read: Int32, write: Int32)
    private let inbox = Mutex(Inbox())
    private let finished = DispatchSemaphore(value: 0)
    private let joined = Mutex(false)

    // The loop thread's own state.
    var owner: Op?
    var queue: [Request] = []
    var opening: (request: Request, started: ContinuousClock.Instant, abandoned: Bool)?
    var tunnels: [JumpTunnel] = []
    var freed: Set<Int> = []
    var nextID = 0
    var lastSign = ContinuousClock.now

    init(connection: SSHConnection) {
        self.connection = connection
        self.endpoint = connection.endpoint
        self.label = "jump host \(connection.endpoint.name) (\(connection.endpoint.destination))"
        self.session = connection.session
        self.socket = connection.socket
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        self.wake = (fds[0], fds[1])
        let thread = Thread { [self] in run() }
        thread.name = "tarmac.ssh.jump.\(connection.endpoint.name)"
        thread.start()
    }

    deinit {
        Glibc.close(wake.read)
        Glibc.close(wake.write)
    }

    /// Opens a channel to `host:port` from the jump host and returns the socket a session to
    /// that host runs over; blocks the calling thread (a host's serial queue) until then.
    func open(host: String, port: Int, timeout: Duration, status: TunnelStatus) throws(JumpFailure) -> Int32 {
        let answer = Answer()
        let request = Request(host: host, port: port, timeout: timeout, status: status) { result in
            answer.result.withLock { $0 = result }
            answer.done.signal()
        }
        let refused: JumpFailure? = inbox.withLock { inbox in
            if let lost = inbox.lost { return JumpFailure(message: lost) }
            if inbox.stop { return JumpFailure(message: "\(label): its connection was closed") }
            if inbox.stuck { return JumpFailure(message: "\(label) is busy", elsewhere: true) }
            inbox.requests.append(request)
            return nil
        }
        if let refused { throw refused }
        signal()
        answer.done.wait()
        return try answer.result.withLock { $0! }.get()
    }

    /// Where the loop's answer to one request lands.
    private final class Answer: Sendable {
        let result = Mutex<Result<Int32, JumpFailure>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    /// True once an open is stuck: new channels need another connection.
    var isStuck: Bool { inbox.withLock { $0.stuck } }

    /// Stops taking requests after a stuck open and sends the waiting ones elsewhere.
    func refuseNewChannels() {
        inbox.withLock { inbox in
            inbox.stuck = true
            queue += inbox.requests
            inbox.requests = []
        }
        for request in queue {
            request.reply(.failure(JumpFailure(message: "\(label) is busy", elsewhere: true)))
        }
        queue = []
    }

    /// Ends the connection (and every channel still open) and waits for the thread.
    func stop() {
        inbox.withLock { $0.stop = true }
        signal()
        let first = joined.withLock { wasJoined in
            defer { wasJoined = true }
            return !wasJoined
        }
        if first { finished.wait() }
    }

    private func signal() {
        var one: UInt8 = 1
        _ = write(wake.write, &one, 1)
    }

    private func run() {
        libssh2_session_set_blocking(session, 0)
        while true {
            let (incoming, stop) = inbox.withLock { inbox in
                defer { inbox.requests = [] }
                return (inbox.requests, inbox.stop)
            }
            queue += incoming
            if stop {
                end(lost: nil)
                break
            }
            do {
                if try !step() { try waitForEvents() }
            } catch {
                end(lost: error.message)
                break
            }
        }
        finished.signal()
    }

    /// Fails what waits, breaks every tunnel, and releases the session (disconnecting it
    /// when it still works).
    private func end(lost: String?) {
        let message = lost.map { "\(label): \($0)" } ?? "\(label): its connection was closed"
        inbox.withLock { inbox in
            inbox.lost = message
            queue += inbox.requests
            inbox.requests = []
        }
        if let opening, !opening.abandoned { opening.request.reply(.failure(JumpFailure(message: message))) }
        opening = nil
        for request in queue { request.reply(.failure(JumpFailure(message: message))) }
        queue = []
        for tunnel in tunnels { tunnel.status.fail(message) }
        tunnels = []
        if let lost { connection?.lostBecause = lost }
        libssh2_session_set_blocking(session, 1)
        connection = nil
    }

    func allowed(_ op: Op) -> Bool { owner == nil || owner == op }

    /// One pass over everything that may move; true if anything did.
    private func step() throws(JumpFailure) -> Bool {
        var progressed = false
        for tunnel in tunnels { progressed = try service(tunnel) || progressed }
        tunnels.removeAll { freed.contains($0.id) }
        progressed = try driveOpen() || progressed
        if owner == .keepalive {
            // Only the keepalive that left a half-sent packet may go on (see waitForEvents).
            var next: Int32 = 0
            _ = try settle(libssh2_keepalive_send(session, &next), by: .keepalive)
        }
        if progressed {
            lastSign = .now
            return true
        }
        // Data another channel's read pulled in for this one waits in libssh2, not the socket.
        // (Not libssh2_poll_channel_read: it fails on the 1-byte keepalive replies libssh2
        // leaves queued, and reads as "data waiting" forever.)
        return tunnels.contains { tunnel in
            guard tunnel.down.isEmpty, !tunnel.channelEnded, !tunnel.localEnded, allowed(.read(tunnel.id)) else {
                return false
            }
            var queued: UInt = 0
            _ = libssh2_channel_window_read_ex(tunnel.channel, &queued, nil)
            return queued > 0 || libssh2_channel_eof(tunnel.channel) != 0
        }
    }

    /// Records who owns a half-sent packet after EAGAIN; throws when the session is lost.
    /// Returns the error message of a failure that concerns one channel only.
    func settle(_ code: Int32, by op: Op) throws(JumpFailure) -> String? {
        if code == LibSSH2Code.eagain {
            let outbound = libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
            if outbound { owner = op } else if owner == op { owner = nil }
            return nil
        }
        if owner == op { owner = nil }
        guard code < 0 else { return nil }
        let failure = LibSSH2Failure(session: session, code: code)
        // CHANNEL_FAILURE … CHANNEL_EOF_SENT concern one channel; anything else, the session.
        if (LIBSSH2_ERROR_CHANNEL_EOF_SENT...LIBSSH2_ERROR_CHANNEL_FAILURE).contains(code) {
            return failure.description
        }
        throw JumpFailure(message: "the connection failed: \(failure.description)")
    }
}

/// A failure on the way through a jump host, its message naming the jump host.
struct JumpFailure: Error {
    var message: String
    /// The request was not tried: ask another connection to the same jump host.
    var elsewhere = false
}
