import Foundation

/// Opens the TCP connection libssh2 runs over (libssh2 never opens sockets itself).
enum SSHSocket {
    struct Failure: Error {
        var message: String
    }

    /// Resolves and connects to `address:port` within `timeout`, trying each address in turn;
    /// the socket comes back blocking, close-on-exec, with Nagle off and dead-peer detection
    /// (TCP keepalive and `TCP_USER_TIMEOUT`) bounded by `deadPeerAfter`.
    static func connect(address: String, port: Int, timeout: Duration, deadPeerAfter: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address, String(port), &hints, &list)
        guard status == 0, let list else {
            throw Failure(message: "cannot resolve \(address): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let info = next {
            next = info.pointee.ai_next
            do {
                let fd = try connect(info.pointee, timeout: timeout)
                configure(fd, deadPeerAfter: deadPeerAfter)
                return fd
            } catch let failure as Failure {
                lastError = failure.message
            }
        }
        throw Failure(message: "cannot connect to \(address) port \(port): \(lastError)")
    }

    private static func connect(_ info: addrinfo, timeout: Duration) throws -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(info.ai_family, type, info.ai_protocol)
        guard fd >= 0 else { throw Failure(message: errorText()) }
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                let message = errorText()
                close(fd)
                throw Failure(message: message)
            }
            var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&waiting, 1, Int32(clamping: timeout.milliseconds))
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard ready == 1, error == 0 else {
                close(fd)
                throw Failure(message: ready == 0 ? "timed out after \(timeout)" : String(cString: strerror(error)))
            }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    private static func configure(_ fd: Int32, deadPeerAfter: Duration) {
        let seconds = Int32(clamping: max(1, deadPeerAfter.milliseconds / 1000))
        set(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        set(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        set(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, max(1, seconds / 2))
        set(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, max(1, seconds / 6))
        set(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, 3)
        // Unacknowledged data (a link that died mid-write) fails the socket after this long.
        set(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, seconds * 1000)
    }

    private static func set(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32) {
        var value = value
        setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
