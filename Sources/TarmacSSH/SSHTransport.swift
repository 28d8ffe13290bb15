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
    /// Jump connections this transport made for itself (none when they are shared).
    private let ownJumps: SSHJumps?

    /// A transport for `endpoint`; `environment` supplies `HOME`, `SSH_AUTH_SOCK` and
    /// `TARMAC_SSH_PASSPHRASE` (injected so tests control them). Hosts behind the same jump
    /// hosts share one connection to them through `jumps` (closed by its owner); without it
    /// the transport keeps its own and closes it in `close()`. With `kept`, programs that
    /// have a `reuseName` are sent as edits of the last ones the host keeps.
    public init(
        endpoint: SSHEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment,
        jumps: SSHJumps? = nil, kept: KeptPrograms? = nil
    ) {
        self.hostName = endpoint.name
        self.endpoint = endpoint
        self.ownJumps = jumps == nil && !endpoint.jumps.isEmpty ? SSHJumps(environment: environment) : nil
        self.host = SSHHost(endpoint: endpoint, environment: environment, jumps: jumps ?? ownJumps, kept: kept)
    }

    public func run(
        _ program: ShellScript, input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void
    ) async throws -> ProgramOutcome {
        try await host.run(program, input: input, onLine: onLine)
    }

    /// Bytes of program text sent on the current connection, inputs not counted.
    func programBytesSent() async -> Int { await host.programBytesSent() }

    /// Connects and authenticates now (`tarmac hosts check`) instead of on the first run.
    public func connect() async throws {
        try await host.connect()
    }

    /// Disconnects; a later run connects again.
    public func close() async {
        await host.close()
        await ownJumps?.close()
    }

    /// The host key `endpoint` presents, without authenticating (for `tarmac hosts trust`).
    /// Types already in its known_hosts file are asked for first.
    /// Jump hosts are passed through with `jumps` (their keys must be trusted already).
    public static func hostKey(of endpoint: SSHEndpoint, jumps: SSHJumps? = nil) async throws -> HostKey {
        // Only a preference for which key types to ask for first; `hosts trust` reports the file's problems.
        let known = try? KnownHosts.load(path: endpoint.knownHosts)
        let algorithms =
            known?.preferredAlgorithms(host: endpoint.address, port: endpoint.port) ?? KnownHosts.algorithmOrder
        let own = jumps == nil && !endpoint.jumps.isEmpty ? SSHJumps() : nil
        let host = SSHHost(endpoint: endpoint, environment: [:], jumps: jumps ?? own)
        do {
            let key = try await host.hostKey(algorithms: algorithms)
            await own?.close()
            return key
        } catch {
            await own?.close()
            throw error
        }
    }
}
