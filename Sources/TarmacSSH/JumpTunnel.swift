import CSSH2
import Foundation
import Synchronization

/// What a connection made through a jump host knows about its tunnel: which jump host, and
/// why the tunnel broke, if it did (set by the jump host's loop, read by the target's side).
final class TunnelStatus: Sendable {
    /// `jump host bastion (me@10.0.0.1)`, for messages.
    let via: String
    private let reason = Mutex<String?>(nil)

    init(via: String) {
        self.via = via
    }

    func fail(_ message: String) {
        reason.withLock { if $0 == nil { $0 = message } }
    }

    var failure: String? { reason.withLock { $0 } }
}

/// One direct-tcpip channel of a jump host's session and the socket pair it is pumped
/// through: the loop's end (`local`, non-blocking) and the end handed to the target's
/// session. Used only on the jump host's loop thread.
final class JumpTunnel {
    static let bufferSize = 64 << 10

    let id: Int
    let channel: OpaquePointer
    let local: Int32
    let status: TunnelStatus
    /// Bytes read from the target's session, waiting to go into the channel.
    let up = PumpBuffer(size: bufferSize)
    /// Bytes read from the channel, waiting to go to the target's session.
    let down = PumpBuffer(size: bufferSize)
    /// The target's session closed its end (or it broke): nothing more to send.
    var localEnded = false
    var eofSent = false
    /// The far side ended its output and all of it was passed on.
    var channelEnded = false
    var shutDownLocal = false

    init(id: Int, channel: OpaquePointer, local: Int32, status: TunnelStatus) {
        self.id = id
        self.channel = channel
        self.local = local
        self.status = status
    }

    deinit { Glibc.close(local) }

    /// Makes the socket pair: the loop's end comes back non-blocking, the target's blocking.
    static func socketPair() -> (local: Int32, remote: Int32)? {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    /// Reads what the target's session sent, if the buffer is free; true if anything came.
    func readLocal() -> Bool {
        guard up.isEmpty, !localEnded else { return false }
        let count = read(local, up.base, up.size)
        if count > 0 {
            up.filled(count)
            return true
        }
        if count == 0 || (errno != EAGAIN && errno != EINTR) {
            localEnded = true
            return true
        }
        return false
    }

    /// Writes what the channel delivered to the target's session; true if anything went.
    func writeLocal() -> Bool {
        guard !down.isEmpty else { return false }
        let count = send(local, down.pending, down.count, Int32(MSG_NOSIGNAL))
        if count > 0 {
            down.consume(count)
            return true
        }
        if errno != EAGAIN && errno != EINTR {
            // The target's end is gone: drop what it will never read.
            down.consume(down.count)
            localEnded = true
            return true
        }
        return false
    }
}

/// A fixed buffer filled at once and drained from the front; its bytes stay put until
/// consumed (libssh2 wants a write repeated with the same bytes after EAGAIN).
final class PumpBuffer {
    let size: Int
    let base: UnsafeMutableRawPointer
    private var start = 0
    private var end = 0

    init(size: Int) {
        self.size = size
        base = .allocate(byteCount: size, alignment: 16)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { start == end }
    var count: Int { end - start }
    var pending: UnsafeMutableRawPointer { base + start }

    func filled(_ count: Int) {
        start = 0
        end = count
    }

    func consume(_ count: Int) {
        start += count
        if start == end { (start, end) = (0, 0) }
    }
}
