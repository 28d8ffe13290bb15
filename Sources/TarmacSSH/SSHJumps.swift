import Foundation
import Synchronization
import TarmacHost

/// The jump host connections of one deployment (or `hosts` command): one connection per jump
/// chain, made when the first host behind it connects and shared by every host behind it.
/// A jump host that cannot be reached, whose key is refused or that refuses the login fails
/// once, and every host behind it fails with that same message before anything is sent to it.
/// `close()` ends them all. (A channel open the jump host never answers blocks further opens
/// on that connection, a libssh2 limit: the hosts still to come get a fresh connection.)
public final class SSHJumps: Sendable {
    /// One chain's connection: made once, under its own lock (hosts behind other jump hosts
    /// do not wait for it); `retired` holds connections replaced after a stuck open.
    private final class Entry: Sendable {
        struct State {
            var current: Result<JumpLoop, JumpFailure>?
            var retired: [JumpLoop] = []
        }
        let state = Mutex(State())
    }

    private let environment: [String: String]
    private let entries = Mutex<[[SSHEndpoint]: Entry]>([:])

    /// Jump connections authenticating with `environment`'s `HOME`, `SSH_AUTH_SOCK` and
    /// `TARMAC_SSH_PASSPHRASE`, as hosts do.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// A socket connected to `endpoint` through its jump hosts (blocks the calling thread).
    func socket(to endpoint: SSHEndpoint) throws(JumpFailure) -> (Int32, TunnelStatus) {
        try socket(through: endpoint.jumps, to: endpoint.address, port: endpoint.port, timeout: endpoint.connectTimeout)
    }

    private func socket(through chain: [SSHEndpoint], to address: String, port: Int, timeout: Duration)
        throws(JumpFailure) -> (Int32, TunnelStatus)
    {
        var attempt = 0
        while true {
            attempt += 1
            let loop = try self.loop(for: chain)
            let status = TunnelStatus(via: loop.label)
            do {
                return (try loop.open(host: address, port: port, timeout: timeout, status: status), status)
            } catch  where error.elsewhere && attempt < 4 {
                continue
            }
        }
    }

    private func loop(for chain: [SSHEndpoint]) throws(JumpFailure) -> JumpLoop {
        let entry = entries.withLock { entries in
            if let entry = entries[chain] { return entry }
            let entry = Entry()
            entries[chain] = entry
            return entry
        }
        let result = entry.state.withLock { state in
            if case .success(let loop)? = state.current, loop.isStuck {
                state.retired.append(loop)
                state.current = nil
            }
            if let current = state.current { return current }
            let made = Result { () throws(JumpFailure) in try connect(chain) }
            state.current = made
            return made
        }
        return try result.get()
    }

    /// Connects to the chain's last hop (through the hops before it), checks its key and
    /// logs in, then hands the session to its loop.
    private func connect(_ chain: [SSHEndpoint]) throws(JumpFailure) -> JumpLoop {
        let hop = chain[chain.count - 1]
        let before = Array(chain.dropLast())
        let label = "jump host \(hop.name) (\(hop.destination))"
        do {
            let knownHosts: KnownHosts
            do {
                knownHosts = try KnownHosts.load(path: hop.knownHosts)
            } catch {
                throw JumpFailure(message: "\(label): cannot read \(hop.knownHosts): \(error)")
            }
            let connector: SSHConnection.Connector? =
                before.isEmpty
                ? nil
                : { () throws(JumpFailure) in
                    try self.socket(through: before, to: hop.address, port: hop.port, timeout: hop.connectTimeout)
                }
            let connection = try SSHConnection.open(
                hop, knownHosts: knownHosts, environment: environment, connect: connector)
            return JumpLoop(connection: connection)
        } catch let failure as JumpFailure {
            throw failure
        } catch let error as TransportError {
            throw JumpFailure(message: "\(label): \(error.message)")
        } catch {
            throw JumpFailure(message: "\(label): \(error)")
        }
    }

    /// Ends every jump connection (the last hops of chains first); blocks until they end.
    public func closeNow() {
        let all = entries.withLock { entries in
            defer { entries = [:] }
            return entries.sorted { $0.key.count > $1.key.count }.map(\.value)
        }
        for entry in all {
            let loops = entry.state.withLock { state in
                guard case .success(let loop)? = state.current else { return state.retired }
                return [loop] + state.retired
            }
            for loop in loops { loop.stop() }
        }
    }

    /// `closeNow` on a thread of its own, so the wait never occupies the cooperative pool.
    public func close() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                self.closeNow()
                done.resume()
            }.start()
        }
    }
}
