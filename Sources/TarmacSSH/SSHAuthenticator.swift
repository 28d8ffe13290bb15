import CSSH2
import Foundation
import TarmacHost

/// Logs in with public keys in OpenSSH's order: the ssh-agent, then the configured identity
/// (or, when none is configured, the default ones). Stops at the first success; every refusal
/// is remembered so a failure explains each attempt.
struct SSHAuthenticator {
    let connection: SSHConnection
    let environment: [String: String]

    /// The environment variable holding the passphrase of an encrypted key (tarmac never prompts).
    static let passphraseVariable = "TARMAC_SSH_PASSPHRASE"

    private var session: OpaquePointer { connection.session }
    private var user: String { connection.endpoint.user }

    func authenticate() throws {
        guard try needsAuthentication() else { return }
        var refusals: [String] = []
        if try agentAuthenticates(&refusals) { return }
        for (path, required) in identityFiles() {
            guard required || FileManager.default.fileExists(atPath: path) else { continue }
            if try keyFileAuthenticates(path, &refusals) { return }
        }
        if refusals.isEmpty {
            refusals.append(
                "no key to try (no ssh-agent, no ~/.ssh/id_ed25519 or id_ecdsa); set `identity` in tarmac.yml")
        }
        connection.lostBecause = "authentication failed"
        throw TransportError(
            host: connection.endpoint.name, message: "cannot log in as \(user): " + refusals.joined(separator: "; "))
    }

    /// False when the server let us in with "none"; throws when it does not take public keys.
    private func needsAuthentication() throws -> Bool {
        guard let list = libssh2_userauth_list(session, user, UInt32(user.utf8.count)) else {
            if libssh2_userauth_authenticated(session) != 0 { return false }
            throw connection.failure("asking which login methods the server accepts", code: nil)
        }
        let methods = String(cString: list)
        guard methods.split(separator: ",").contains("publickey") else {
            throw TransportError(
                host: connection.endpoint.name,
                message: "the server does not accept public keys for \(user) (it offers: \(methods))")
        }
        return true
    }

    private func identityFiles() -> [(path: String, required: Bool)] {
        if let identity = connection.endpoint.identity { return [(identity, true)] }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return ["id_ed25519", "id_ecdsa", "id_rsa"].map { (home + "/.ssh/" + $0, false) }
    }

    private func agentAuthenticates(_ refusals: inout [String]) throws -> Bool {
        guard let socketPath = environment["SSH_AUTH_SOCK"], let agent = libssh2_agent_init(session) else {
            return false
        }
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        libssh2_agent_set_identity_path(agent, socketPath)
        guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else {
            refusals.append("ssh-agent at \(socketPath): \(LibSSH2Failure(session: session).message)")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var tried = 0
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
            tried += 1
            if libssh2_agent_userauth(agent, user, identity) == 0 { return true }
            previous = identity
        }
        if tried > 0 { refusals.append("ssh-agent: none of its \(tried) key(s) was accepted") }
        return false
    }

    private func keyFileAuthenticates(_ path: String, _ refusals: inout [String]) throws -> Bool {
        let info = KeyFileInfo(path: path)
        let passphrase = environment[Self.passphraseVariable]
        if info.isEncrypted && passphrase == nil {
            refusals.append("\(path) is encrypted: set \(Self.passphraseVariable) to its passphrase")
            return false
        }
        let code = libssh2_userauth_publickey_fromfile_ex(
            session, user, UInt32(user.utf8.count), nil, path, info.isEncrypted ? passphrase : nil)
        if code == 0 { return true }
        refusals.append(explain(code, path: path, info: info))
        return false
    }

    private func explain(_ code: Int32, path: String, info: KeyFileInfo) -> String {
        if info.isRSA && (code == LibSSH2Code.authenticationFailed || code == LibSSH2Code.publickeyUnverified) {
            return "\(path) is an RSA key: libssh2 1.10 can only sign ssh-rsa (SHA-1), which OpenSSH ≥ 8.8 "
                + "refuses; use an ed25519 key"
        }
        let detail = LibSSH2Failure(session: session, code: code).description
        if info.isEncrypted && code == LibSSH2Code.file {
            return "\(path): cannot decrypt it with \(Self.passphraseVariable) (wrong passphrase?): \(detail)"
        }
        return "\(path): \(detail)"
    }
}

/// What a private key file says about itself before libssh2 reads it: its type, and whether a
/// passphrase protects it.
struct KeyFileInfo {
    var type: String?
    var isEncrypted = false

    var isRSA: Bool { type == "ssh-rsa" }

    init(path: String) {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        self.init(text: String(decoding: data, as: UTF8.self))
    }

    init(text: String) {
        if text.contains("BEGIN OPENSSH PRIVATE KEY") {
            parseOpenSSH(text)
        } else if text.contains("BEGIN RSA PRIVATE KEY") {
            type = "ssh-rsa"
            isEncrypted = text.contains("ENCRYPTED")
        } else if text.contains("BEGIN EC PRIVATE KEY") {
            type = "ecdsa"
            isEncrypted = text.contains("ENCRYPTED")
        } else {
            isEncrypted = text.contains("BEGIN ENCRYPTED PRIVATE KEY")
        }
    }

    /// `openssh-key-v1\0`, cipher name, KDF name, KDF options, key count, first public key.
    private mutating func parseOpenSSH(_ text: String) {
        let body = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { return }
        var reader = WireReader(bytes: [UInt8](data))
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard reader.take(magic.count) == magic, let cipher = reader.string() else { return }
        isEncrypted = cipher != Array("none".utf8)
        _ = reader.string()
        _ = reader.string()
        _ = reader.take(4)
        if let publicKey = reader.string(), let key = HostKey(blob: publicKey) { type = key.type }
    }
}

/// Reads SSH wire-format fields (length-prefixed strings).
struct WireReader {
    var bytes: [UInt8]
    var offset = 0

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func string() -> [UInt8]? {
        guard let length = take(4) else { return nil }
        return take(length.reduce(0) { $0 << 8 | Int($1) })
    }
}
