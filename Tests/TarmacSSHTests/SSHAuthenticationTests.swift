import Foundation
import TarmacEngine
import TarmacHost
import TarmacTestSupport
import Testing

@testable import TarmacSSH

@Suite(.needsSSHD, .timeLimit(.minutes(1)))
struct SSHAuthenticationTests {
    func run(_ server: TestSSHServer, identity: String, environment: [String: String]) async throws
        -> ProgramOutcome
    {
        let endpoint = server.endpoint(knownHosts: try server.trustingKnownHosts(), identity: identity)
        let transport = SSHTransport(endpoint: endpoint, environment: environment)
        return try await transport.run(program(["echo '@done 0'"]), onLine: { _ in })
    }

    @Test func anRSAKeyGetsTheClearMessage() async throws {
        let server = try TestSSHServer()
        let key = server.directory + "/client_rsa"
        try server.keygen("-t", "rsa", "-b", "2048", "-f", key)
        try server.authorize(key + ".pub")
        let error = await #expect(throws: TransportError.self) {
            try await run(server, identity: key, environment: [:])
        }
        #expect(error?.message.contains("libssh2 1.10 can only sign ssh-rsa (SHA-1)") == true)
        #expect(error?.message.contains("use an ed25519 key") == true)
    }

    @Test func anEncryptedKeyNeedsThePassphraseVariable() async throws {
        let server = try TestSSHServer()
        let key = server.directory + "/client_locked"
        try server.keygen("-t", "ed25519", "-f", key, passphrase: "s3cret words")
        try server.authorize(key + ".pub")
        let error = await #expect(throws: TransportError.self) {
            try await run(server, identity: key, environment: [:])
        }
        #expect(error?.message.contains("is encrypted: set TARMAC_SSH_PASSPHRASE") == true)
        let outcome = try await run(server, identity: key, environment: ["TARMAC_SSH_PASSPHRASE": "s3cret words"])
        #expect(outcome.succeeded)
        let wrong = await #expect(throws: TransportError.self) {
            try await run(server, identity: key, environment: ["TARMAC_SSH_PASSPHRASE": "nope"])
        }
        #expect(wrong?.message.contains("wrong passphrase") == true)
    }
}
