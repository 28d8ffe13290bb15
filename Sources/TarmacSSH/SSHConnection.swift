import CSSH2
import Foundation
import TarmacHost

/// One SSH session to one host: owns the socket and the libssh2 session and frees them.
///
/// Not Sendable: libssh2 wants a session used by one thread at a time, so a connection lives
/// inside an `SSHHost` actor whose executor is a private serial queue. Set-up follows the
/// order that matters with libssh2 1.10: connect, timeouts, method preferences, handshake,
/// host key check (before anything is sent), then authentication.
final class SSHConnection {
    let endpoint: SSHEndpoint
    let socket: Int32
    let session: OpaquePointer
    /// Why the session can no longer be used (a timeout or socket error), if it can't.
    var lostBecause: String?
    /// The jump host tunnel the session runs over, if it does.
    var tunnel: TunnelStatus?
    /// Bytes of program text (compressed, whole or as edits) sent so far, inputs not counted.
    var programBytesSent = 0

    /// Makes the socket a session runs over through jump hosts (instead of a TCP connection).
    typealias Connector = () throws(JumpFailure) -> (Int32, TunnelStatus)

    private init(endpoint: SSHEndpoint, socket: Int32, session: OpaquePointer) {
        self.endpoint = endpoint
        self.socket = socket
        self.session = session
    }

    deinit {
        // Channels are freed by the calls that open them; then disconnect, free, close.
        if lostBecause == nil { libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "done", "") }
        libssh2_session_free(session)
        Glibc.close(socket)
    }

    /// Connects, checks the host key against `knownHosts` and authenticates.
    static func open(
        _ endpoint: SSHEndpoint, knownHosts: KnownHosts, environment: [String: String], connect: Connector? = nil
    ) throws -> SSHConnection {
        let connection = try handshake(
            endpoint, algorithms: knownHosts.preferredAlgorithms(host: endpoint.address, port: endpoint.port),
            connect: connect)
        try connection.verifyHostKey(against: knownHosts)
        try SSHAuthenticator(connection: connection, environment: environment).authenticate()
        libssh2_keepalive_config(
            connection.session, 1, UInt32(clamping: max(1, endpoint.keepaliveInterval.milliseconds / 1000)))
        return connection
    }

    /// Connects and completes the key exchange without authenticating (for `hosts trust`).
    static func handshake(_ endpoint: SSHEndpoint, algorithms: [String], connect: Connector? = nil) throws
        -> SSHConnection
    {
        _ = libssh2Initialised
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try handshakeOnce(endpoint, algorithms: algorithms, connect: connect)
            } catch let dropped as BannerDropped where attempt < 3 {
                // sshd's MaxStartups drops excess handshakes before the banner: retry with jitter.
                _ = dropped
                usleep(UInt32.random(in: 100_000...400_000) * UInt32(attempt))
            }
        }
    }

    private struct BannerDropped: Error {
        var error: TransportError
    }

    private static func handshakeOnce(_ endpoint: SSHEndpoint, algorithms: [String], connect: Connector?) throws
        -> SSHConnection
    {
        let fd: Int32
        let tunnel: TunnelStatus?
        if let connect {
            let made = try connect()
            (fd, tunnel) = (made.0, made.1)
        } else {
            tunnel = nil
            do {
                fd = try SSHSocket.connect(
                    address: endpoint.address, port: endpoint.port, timeout: endpoint.connectTimeout,
                    deadPeerAfter: endpoint.ioTimeout)
            } catch let failure as SSHSocket.Failure {
                throw TransportError(host: endpoint.name, message: failure.message)
            }
        }
        guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            close(fd)
            throw TransportError(host: endpoint.name, message: "libssh2 could not create a session")
        }
        let connection = SSHConnection(endpoint: endpoint, socket: fd, session: session)
        connection.tunnel = tunnel
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, endpoint.ioTimeout.milliseconds)
        try connection.preferMethods(hostKeys: algorithms)
        let code = libssh2_session_handshake(session, libssh2_socket_t(fd))
        guard code == 0 else {
            connection.lostBecause = "handshake failed"
            let error = connection.failure("during the SSH handshake", code: code)
            if code == LibSSH2Code.socketRecv { throw BannerDropped(error: error) }
            throw error
        }
        return connection
    }

    private func preferMethods(hostKeys: [String]) throws {
        let preferences: [(Int32, String)] = [
            (LIBSSH2_METHOD_HOSTKEY, hostKeys.joined(separator: ",")),
            (LIBSSH2_METHOD_CRYPT_CS, "aes256-ctr,aes192-ctr,aes128-ctr"),
            (LIBSSH2_METHOD_CRYPT_SC, "aes256-ctr,aes192-ctr,aes128-ctr"),
            (LIBSSH2_METHOD_MAC_CS, "hmac-sha2-256,hmac-sha2-512"),
            (LIBSSH2_METHOD_MAC_SC, "hmac-sha2-256,hmac-sha2-512"),
        ]
        for (method, list) in preferences {
            let code = libssh2_session_method_pref(session, method, list)
            guard code == 0 else { throw failure("setting method preferences (\(list))", code: code) }
        }
    }

    /// The key the server presented in the handshake.
    func hostKey() throws -> HostKey {
        var length = 0
        var type: Int32 = 0
        guard let pointer = libssh2_session_hostkey(session, &length, &type), length > 0 else {
            throw failure("reading the host key", code: nil)
        }
        let blob = [UInt8](UnsafeRawBufferPointer(start: pointer, count: length))
        guard let key = HostKey(blob: blob) else {
            throw TransportError(host: endpoint.name, message: "the server sent a malformed host key")
        }
        return key
    }

    /// Refuses unknown, changed and revoked host keys before any credential is sent.
    private func verifyHostKey(against knownHosts: KnownHosts) throws {
        let key = try hostKey()
        let verdict = knownHosts.verdict(for: key, host: endpoint.address, port: endpoint.port)
        if let problem = HostKeyProblem(verdict: verdict, key: key, endpoint: endpoint, knownHosts: knownHosts) {
            lostBecause = problem.message
            throw TransportError(host: endpoint.name, message: problem.message)
        }
    }

    /// A TransportError naming the host, what was happening and libssh2's own message.
    func failure(_ doing: String, code: Int32?) -> TransportError {
        let detail = LibSSH2Failure(session: session, code: code)
        return TransportError(host: endpoint.name, message: "\(doing): \(detail.description)" + tunnelNote)
    }

    /// Which jump host the session runs through, and why its tunnel broke if it did.
    var tunnelNote: String {
        guard let tunnel else { return "" }
        return " (" + (tunnel.failure ?? "through \(tunnel.via)") + ")"
    }
}
