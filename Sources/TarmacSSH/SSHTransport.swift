import Foundation
import TarmacEngine
import TarmacHost

/// Runs tarmac's programs on a host over SSH: one connection for the whole deployment, made
/// on the first run, one exec channel per program.
public struct SSHTransport: HostTransport {
    public let hostName: String
    /// Where and how this transport connects.
    public let endpoint: SSHEndpoint
    private let host: SSHHost

    /// A transport for `endpoint`; `environment` supplies `HOME`, `SSH_AUTH_SOCK` and
    /// `TARMAC_SSH_PASSPHRASE` (injected so tests control them).
    public init(endpoint: SSHEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.hostName = endpoint.name
        self.endpoint = endpoint
        self.host = SSHHost(endpoint: endpoint, environment: environment)
    }

    public func run(
        _ program: ShellScript, input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void
    ) async throws -> ProgramOutcome {
        try await host.run(program, input: input, onLine: onLine)
    }

    /// Connects and authenticates now (`tarmac hosts check`) instead of on the first run.
    public func connect() async throws {
        try await host.connect()
    }

    /// Disconnects; a later run connects again.
    public func close() async {
        await host.close()
    }

    /// The host key `endpoint` presents, without authenticating (for `tarmac hosts trust`).
    /// Types already in its known_hosts file are asked for first.
    public static func hostKey(of endpoint: SSHEndpoint) async throws -> HostKey {
        let known = try? KnownHosts.load(path: endpoint.knownHosts)
        let algorithms =
            known?.preferredAlgorithms(host: endpoint.address, port: endpoint.port) ?? KnownHosts.algorithmOrder
        return try await SSHHost(endpoint: endpoint, environment: [:]).hostKey(algorithms: algorithms)
    }
}
