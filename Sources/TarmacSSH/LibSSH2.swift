import CSSH2

/// libssh2's process-wide initialisation: `libssh2_init` is not thread-safe, and a Swift
/// global is initialised exactly once, thread-safely, on first use.
let libssh2Initialised: Int32 = libssh2_init(0)

/// A libssh2 call that failed: its code and the session's own message.
struct LibSSH2Failure: Error {
    var code: Int32
    var message: String

    /// The session's last error (the message is owned by the session: copied, not freed).
    init(session: OpaquePointer, code: Int32? = nil) {
        var pointer: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let last = libssh2_session_last_error(session, &pointer, &length, 0)
        self.code = code ?? last
        if let pointer, length > 0 {
            let bytes = UnsafeRawBufferPointer(start: pointer, count: Int(length))
            self.message = String(decoding: bytes, as: UTF8.self)
        } else {
            self.message = "libssh2 error \(self.code)"
        }
    }

    var description: String { "\(message) (libssh2 \(code))" }
}

/// libssh2's error codes tarmac reacts to.
enum LibSSH2Code {
    static let eagain = LIBSSH2_ERROR_EAGAIN
    static let timeout = LIBSSH2_ERROR_TIMEOUT
    static let socketRecv = LIBSSH2_ERROR_SOCKET_RECV
    static let authenticationFailed = LIBSSH2_ERROR_AUTHENTICATION_FAILED
    static let file = LIBSSH2_ERROR_FILE
    static let publickeyUnverified = LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED
}
