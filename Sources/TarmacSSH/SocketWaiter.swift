import CSSH2
import Foundation
import TarmacHost

/// Waits on the session's socket in the directions libssh2 says it is blocked on, sends
/// keepalives while the link is quiet, and declares the session lost after `ioTimeout`
/// without any sign of life.
final class SocketWaiter {
    private let connection: SSHConnection
    private var lastActivity = ContinuousClock.now

    init(connection: SSHConnection) {
        self.connection = connection
    }

    /// One wait of at most a second; `writing` waits only for the socket to take bytes (a
    /// half-sent packet must be flushed first), `idle` allows a keepalive.
    func wait(_ doing: String, writing: Bool = false, idle: Bool = true) throws {
        let directions = libssh2_session_block_directions(connection.session)
        var events: Int16 = writing ? 0 : Int16(POLLIN)
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 || writing { events |= Int16(POLLOUT) }
        let timeout = connection.endpoint.ioTimeout
        let left = timeout - (ContinuousClock.now - lastActivity)
        var target = pollfd(fd: connection.socket, events: events, revents: 0)
        let ready = poll(&target, 1, Int32(clamping: min(1000, max(1, left.milliseconds))))
        if ready > 0 {
            guard target.revents & Int16(POLLERR | POLLNVAL) == 0 else {
                return try lose("the connection failed \(doing)")
            }
            lastActivity = .now
            return
        }
        if ready < 0 && errno == EINTR { return }
        if ContinuousClock.now - lastActivity >= timeout {
            return try lose("no response for \(timeout) \(doing); the connection is considered lost")
        }
        if idle { keepalive() }
    }

    /// Marks progress made without waiting (data moved).
    func noteActivity() { lastActivity = .now }

    private func keepalive() {
        var next: Int32 = 0
        // A keepalive goes out only on a quiet link, so its tiny packet is never left half-sent.
        _ = libssh2_keepalive_send(connection.session, &next)
    }

    private func lose(_ message: String) throws {
        connection.lostBecause = message
        throw TransportError(host: connection.endpoint.name, message: message + connection.tunnelNote)
    }
}
