import Foundation
import TarmacEngine
import TarmacHost

/// The one owner of a host's SSH connection: an actor on its own serial queue, so libssh2 is
/// used by one thread at a time and its blocking calls never stall the cooperative pool.
actor SSHHost {
    private let executor: SerialQueueExecutor
    private let endpoint: SSHEndpoint
    private let environment: [String: String]
    private let jumps: SSHJumps?
    private let kept: KeptPrograms?
    private var connection: SSHConnection?

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(endpoint: SSHEndpoint, environment: [String: String], jumps: SSHJumps? = nil, kept: KeptPrograms? = nil) {
        self.endpoint = endpoint
        self.environment = environment
        self.jumps = jumps
        self.kept = kept
        self.executor = SerialQueueExecutor(label: "tarmac.ssh.\(endpoint.name)")
    }

    /// Runs a program, connecting first if this is the host's first program.
    func run(_ program: ShellScript, input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void)
        throws -> ProgramOutcome
    {
        try connected().run(program, input: input, kept: kept, onLine: onLine)
    }

    /// Bytes of program text sent on the current connection (tests: whole or edited).
    func programBytesSent() -> Int { connection?.programBytesSent ?? 0 }

    /// Connects and authenticates now, unless already connected.
    func connect() throws {
        _ = try connected()
    }

    /// Connects (once) and authenticates; later calls reuse the connection, even a lost one,
    /// so that they fail fast with the reason.
    private func connected() throws -> SSHConnection {
        if let connection { return connection }
        let knownHosts: KnownHosts
        do {
            knownHosts = try KnownHosts.load(path: endpoint.knownHosts)
        } catch let error as KnownHostsNotAFile {
            throw TransportError(host: endpoint.name, message: error.description)
        } catch let error as KnownHostsError {
            throw TransportError(host: endpoint.name, message: error.description)
        } catch {
            throw TransportError(host: endpoint.name, message: "cannot read \(endpoint.knownHosts): \(error)")
        }
        let connection: SSHConnection
        do {
            connection = try SSHConnection.open(
                endpoint, knownHosts: knownHosts, environment: environment, connect: connector)
        } catch let failure as JumpFailure {
            throw TransportError(host: endpoint.name, message: failure.message)
        }
        self.connection = connection
        return connection
    }

    /// The tunnel through the jump hosts, when the endpoint has any.
    private var connector: SSHConnection.Connector? {
        guard let jumps, !endpoint.jumps.isEmpty else { return nil }
        let endpoint = endpoint
        return { () throws(JumpFailure) in try jumps.socket(to: endpoint) }
    }

    /// The key the server presents, fetched without authenticating.
    func hostKey(algorithms: [String]) throws -> HostKey {
        do {
            let connection = try SSHConnection.handshake(endpoint, algorithms: algorithms, connect: connector)
            return try connection.hostKey()
        } catch let failure as JumpFailure {
            throw TransportError(host: endpoint.name, message: failure.message)
        }
    }

    /// Disconnects; a later run connects again.
    func close() {
        connection = nil
    }
}
