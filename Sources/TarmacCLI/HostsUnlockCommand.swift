import ArgumentParser
import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost
import TarmacSSH

/// `tarmac hosts unlock GROUP`: remove host locks whose deployment is gone.
struct HostsUnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove the host locks of a group's hosts whose deployment process is gone.",
        discussion: """
            A deployment holds a lock on each host while it runs. When tarmac is killed, or its \
            connection dropped, the lock stays and the next deployment reports it as stale rather \
            than taking it over. After checking that nothing is still deploying, this removes the \
            stale locks; a lock whose holder is still running is never touched.

            Exit 0 when no host is locked any more; 1 when a live lock remains or a host cannot be reached.

            Example:
              tarmac hosts unlock production
            """)

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: ArgumentHelp("The deployment group, as named in tarmac.yml.", valueName: "group"))
    var group: String

    func run() async throws {
        let target = try await GroupHosts.load(repository, group: group)
        var failed = 0
        for (host, transport) in zip(target.group.hosts, target.connections.transports) {
            let (text, ok) = await Self.unlock(transport, layout: target.layout)
            Console.say("\(host.name): \(text)")
            if !ok { failed += 1 }
        }
        await target.connections.close()
        if failed > 0 { throw ExitCode(Exit.failed) }
    }

    /// What happened on one host, and whether it is unlocked now.
    static func unlock(_ transport: SSHTransport, layout: HostLayout) async -> (String, Bool) {
        do {
            let request = ProbeRequest(tools: [])
            let probe = try await transport.run(ProbeProgram.render(request: request, layout: layout, runnerPID: nil)) {
                _ in
            }
            guard let lock = try ProbeProgram.parse(probe.lines, request: request).lock else {
                return ("not locked", true)
            }
            let holder = "\(lock.deploymentID) (pid \(lock.pid))"
            guard !lock.holderAlive else { return ("locked by \(holder), which is still running; left alone", false) }
            let release = try await transport.run(LockProgram.release(layout: layout, deploymentID: lock.deploymentID))
            { _ in }
            guard release.succeeded else {
                return ("could not remove the stale lock of \(holder): \(release.notes.joined(separator: "; "))", false)
            }
            return ("removed the stale lock of \(holder)", true)
        } catch {
            return ("FAILED: \(error)", false)
        }
    }
}
