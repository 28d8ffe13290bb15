import CSSH2
import Foundation

extension JumpLoop {
    /// Moves one tunnel's bytes both ways, passes ends on, and frees the channel once the
    /// target's side has closed; true if anything moved.
    func service(_ tunnel: JumpTunnel) throws(JumpFailure) -> Bool {
        let id = tunnel.id
        var progressed = tunnel.readLocal()
        if !tunnel.up.isEmpty && allowed(.write(id)) {
            let count = libssh2_channel_write_ex(tunnel.channel, 0, tunnel.up.pending, tunnel.up.count)
            if count > 0 {
                tunnel.up.consume(count)
                if owner == .write(id) { owner = nil }
                progressed = true
            } else if let broken = try settle(Int32(clamping: count), by: .write(id)) {
                progressed = brake(tunnel, broken) || progressed
            }
        }
        if tunnel.up.isEmpty && tunnel.localEnded && !tunnel.eofSent && allowed(.eof(id)) {
            let code = libssh2_channel_send_eof(tunnel.channel)
            if code == 0 {
                if owner == .eof(id) { owner = nil }
                tunnel.eofSent = true
                progressed = true
            } else if try settle(code, by: .eof(id)) != nil {
                tunnel.eofSent = true  // the channel is closed already: nothing to end
                progressed = true
            }
        }
        progressed = try read(tunnel) || progressed
        progressed = tunnel.writeLocal() || progressed
        if tunnel.channelEnded && tunnel.down.isEmpty && !tunnel.shutDownLocal {
            // The far side ended its output: the target's session reads end-of-file.
            shutdown(tunnel.local, Int32(SHUT_WR))
            tunnel.shutDownLocal = true
        }
        if tunnel.localEnded && tunnel.eofSent && allowed(.free(id)) {
            let code = libssh2_channel_free(tunnel.channel)
            var done = code == 0
            if !done { done = try settle(code, by: .free(id)) != nil }
            if done {
                if owner == .free(id) { owner = nil }
                freed.insert(id)
                progressed = true
            }
        }
        return progressed
    }

    private func read(_ tunnel: JumpTunnel) throws(JumpFailure) -> Bool {
        let id = tunnel.id
        // A read that left a half-sent packet must be repeated (its buffer is still empty);
        // otherwise read while the target's session is there to take the data.
        let flush = owner == .read(id)
        guard tunnel.down.isEmpty, flush || (!tunnel.channelEnded && !tunnel.localEnded), allowed(.read(id)) else {
            return false
        }
        let count = libssh2_channel_read_ex(tunnel.channel, 0, tunnel.down.base, tunnel.down.size)
        if count >= 0 && owner == .read(id) { owner = nil }
        if count > 0 {
            tunnel.down.filled(count)
            return true
        }
        if count == 0 {
            guard libssh2_channel_eof(tunnel.channel) != 0 else { return false }
            tunnel.channelEnded = true
            return true
        }
        guard let broken = try settle(Int32(clamping: count), by: .read(id)) else { return false }
        return brake(tunnel, broken)
    }

    /// A channel that failed on its own: the target's session sees its socket close.
    private func brake(_ tunnel: JumpTunnel, _ message: String) -> Bool {
        tunnel.status.fail("\(label): the channel to \(endpoint.name) broke: \(message)")
        shutdown(tunnel.local, Int32(SHUT_RDWR))
        tunnel.localEnded = true
        tunnel.channelEnded = true
        tunnel.eofSent = true
        return true
    }

    /// Starts or continues the channel open at the head of the queue (libssh2 opens one
    /// channel at a time per session); true if it finished either way.
    func driveOpen() throws(JumpFailure) -> Bool {
        if opening == nil {
            guard !queue.isEmpty, owner == nil else { return false }
            opening = (queue.removeFirst(), .now, false)
        }
        guard var current = opening, allowed(.open) else { return false }
        let request = current.request
        if let channel = libssh2_channel_direct_tcpip_ex(session, request.host, Int32(request.port), "127.0.0.1", 65535)
        {
            if owner == .open { owner = nil }
            opening = nil
            opened(channel, for: current)
            return true
        }
        let code = libssh2_session_last_errno(session)
        let target = "\(request.host) port \(request.port)"
        if code == LibSSH2Code.eagain {
            _ = try settle(code, by: .open)
            if !current.abandoned && ContinuousClock.now - current.started >= request.timeout {
                // libssh2 cannot cancel an open, nor start another before it ends: keep driving
                // it (and free the channel if it comes), and let a fresh connection take the rest.
                let message = "\(label) did not connect to \(target) within \(request.timeout)"
                request.reply(.failure(JumpFailure(message: message)))
                current.abandoned = true
                opening = current
                refuseNewChannels()
            }
            return false
        }
        opening = nil
        guard let reason = try settle(code, by: .open) else { return true }
        if !current.abandoned {
            request.reply(.failure(JumpFailure(message: "\(label) cannot reach \(target): \(reason)")))
        }
        return true
    }

    private func opened(
        _ channel: OpaquePointer, for current: (request: Request, started: ContinuousClock.Instant, abandoned: Bool)
    ) {
        nextID += 1
        guard let pair = JumpTunnel.socketPair() else {
            let reason = SSHSocket.errorText()
            let tunnel = JumpTunnel(id: nextID, channel: channel, local: -1, status: current.request.status)
            tunnel.localEnded = true
            tunnels.append(tunnel)
            if !current.abandoned {
                current.request.reply(.failure(JumpFailure(message: "cannot make a socket pair: \(reason)")))
            }
            return
        }
        let tunnel = JumpTunnel(id: nextID, channel: channel, local: pair.local, status: current.request.status)
        tunnels.append(tunnel)
        if current.abandoned {
            Glibc.close(pair.remote)
        } else {
            current.request.reply(.success(pair.remote))
        }
    }

    /// Sleeps until a socket is ready, a request arrives or a second passes; sends a
    /// keepalive on a quiet link and declares the session lost after `ioTimeout` of silence
    /// while it is in use.
    func waitForEvents() throws(JumpFailure) {
        // A half-sent packet (`owner`) is the only reason to wait for room on the socket.
        var fds = [
            pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
            pollfd(fd: socket, events: Int16(POLLIN) | (owner != nil ? Int16(POLLOUT) : 0), revents: 0),
        ]
        for tunnel in tunnels {
            var events: Int16 = 0
            if tunnel.up.isEmpty && !tunnel.localEnded { events |= Int16(POLLIN) }
            if !tunnel.down.isEmpty { events |= Int16(POLLOUT) }
            // An ended side still reports POLLHUP: leave it out (-1) rather than wake for it.
            fds.append(pollfd(fd: tunnel.localEnded ? -1 : tunnel.local, events: events, revents: 0))
        }
        let ready = poll(&fds, nfds_t(fds.count), 1000)
        if ready > 0 && fds[0].revents != 0 {
            var drained = [UInt8](repeating: 0, count: 64)
            _ = Glibc.read(wake.read, &drained, drained.count)
        }
        if fds[1].revents & Int16(POLLERR | POLLNVAL) != 0 { throw JumpFailure(message: "the connection failed") }
        if fds[1].revents & Int16(POLLIN | POLLHUP) != 0 { lastSign = .now }
        let busy = !tunnels.isEmpty || opening != nil
        if busy && ContinuousClock.now - lastSign >= endpoint.ioTimeout + endpoint.keepaliveInterval {
            throw JumpFailure(message: "no response for \(endpoint.ioTimeout); the connection is considered lost")
        }
        if ready == 0 && owner == nil {
            var next: Int32 = 0
            _ = try settle(libssh2_keepalive_send(session, &next), by: .keepalive)
        }
    }
}
