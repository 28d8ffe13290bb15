import ArgumentParser
import Foundation
import TarmacCore
import TarmacEngine
import TarmacHistory
import TarmacHost
import TarmacSSH

/// `tarmac hosts`: look at a group's hosts before deploying to them.
struct HostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts",
        abstract: "Check a group's hosts, record their SSH host keys, or clear stale host locks.",
        subcommands: [HostsCheckCommand.self, HostsTrustCommand.self, HostsUnlockCommand.self])
}

/// `tarmac hosts check GROUP`.
struct HostsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Connect to every host of a group: host key, login, tools, disk space, lock, installed revision.",
        discussion: """
            Nothing is changed on a host. Exit 0 when every host is ready for a deployment, 1 when \
            one is not (each line says why), 2 for an unknown group or an invalid tarmac.yml.

            Example:
              tarmac hosts check production
            """)

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: ArgumentHelp("The deployment group, as named in tarmac.yml.", valueName: "group"))
    var group: String

    /// Tools every deployment needs on a host; the rest are needed only when an AppSpec asks.
    static let required = ["sh", "tar", "gzip", "sha256sum", "setsid", "timeout"]

    func run() async throws {
        let target = try await GroupHosts.load(repository, group: group)
        let (hosts, connections, layout) = (target.group.hosts, target.connections, target.layout)
        let revisions = Self.revisions(target.project, group: target.group.name)
        let lines = await withTaskGroup(of: (Int, String, Bool).self) { tasks in
            for (index, transport) in connections.transports.enumerated() {
                tasks.addTask {
                    let (text, ok) = await Self.check(transport, layout: layout, revisions: revisions)
                    return (index, text, ok)
                }
            }
            var all = [(String, Bool)](repeating: ("", false), count: hosts.count)
            for await (index, text, ok) in tasks { all[index] = (text, ok) }
            return all
        }
        await connections.close()
        let width = hosts.map(\.name.count).max() ?? 0
        for (host, line) in zip(hosts, lines) {
            Console.say(host.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + line.0)
        }
        let ready = lines.filter(\.1).count
        Console.say("\(ready) of \(hosts.count) hosts ready")
        if ready < hosts.count { throw ExitCode(Exit.failed) }
    }

    /// The revision of each recent deployment of the group, from the history (if any).
    static func revisions(_ project: ProjectContext, group: String) -> [String: String] {
        let path = HistoryStore.databasePath(repositoryRoot: project.repository.root)
        guard FileManager.default.fileExists(atPath: path), let store = try? HistoryStore(path: path),
            let recent = try? store.deployments(group: group, limit: 500)
        else { return [:] }
        return Dictionary(recent.map { ($0.record.id, $0.record.revision) }, uniquingKeysWith: { a, _ in a })
    }

    /// One host's line and whether it is ready.
    static func check(_ transport: SSHTransport, layout: HostLayout, revisions: [String: String]) async -> (
        String, Bool
    ) {
        let request = ProbeRequest(tools: ProbeRequest.standardTools)
        let facts: HostFacts
        do {
            let outcome = try await transport.run(ProbeProgram.render(request: request, layout: layout, runnerPID: nil))
            { _ in }
            facts = try ProbeProgram.parse(outcome.lines, request: request)
        } catch {
            return ("FAILED: \(error)", false)
        }
        let endpoint = transport.endpoint
        let via = endpoint.jumps.isEmpty ? "" : " via " + endpoint.jumps.map(\.destination).joined(separator: ", ")
        var parts = ["ok: \(endpoint.user)@\(endpoint.address):\(endpoint.port)" + via]
        let missing = required.filter { !facts.tools.contains($0) }
        let optional = ["runuser", "setfacl"].filter { !facts.tools.contains($0) }
        parts.append(missing.isEmpty ? "tools ok" : "MISSING \(missing.joined(separator: ", "))")
        if !optional.isEmpty { parts.append("no \(optional.joined(separator: ", ")) (needed for runas/acls)") }
        if let free = facts.freeBytes { parts.append("\(ByteCount.text(free)) free") }
        if let lock = facts.lock {
            parts.append(
                "LOCKED by \(lock.deploymentID) (\(lock.holderAlive ? "running" : "stale: remove \(layout.lockDirectory)"))"
            )
        }
        parts.append(
            facts.lastSuccessful.map { directory in
                let id = (directory as NSString).lastPathComponent
                return "installed " + (revisions[id].map { "\($0.prefix(12)) (\(id))" } ?? id)
            } ?? "nothing installed")
        return (parts.joined(separator: ", "), missing.isEmpty && facts.lock == nil)
    }
}

/// `tarmac hosts trust GROUP`.
struct HostsTrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Fetch the SSH host keys of a group's hosts, show their fingerprints, and add them to known_hosts.",
        discussion: """
            Compare the fingerprints with the hosts' own (`ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub` \
            on the host's console) before deploying. Keys already recorded are left alone; a key that \
            differs from the recorded one is reported and not changed (remove the old line yourself if \
            the host was rebuilt). Lines are appended; the file is never rewritten.

            Example:
              tarmac hosts trust staging
            """)

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: ArgumentHelp("The deployment group, as named in tarmac.yml.", valueName: "group"))
    var group: String

    func run() async throws {
        let connections = try await GroupHosts.load(repository, group: group).connections
        var failed = 0
        // Jump hosts first, each through the hops before it: the hosts behind them need them.
        for endpoint in Self.jumpHosts(connections.endpoints) + connections.endpoints {
            let kind = connections.endpoints.contains(endpoint) ? "" : "jump host "
            let name = "\(kind)\(endpoint.name) (\(KnownHosts.hostName(endpoint.address, port: endpoint.port)))"
            let key: HostKey
            do {
                key = try await SSHTransport.hostKey(of: endpoint, jumps: connections.jumps)
            } catch {
                Console.say("\(name): FAILED: \(error)")
                failed += 1
                continue
            }
            let known: KnownHosts
            do {
                known = try KnownHosts.load(path: endpoint.knownHosts)
            } catch {
                Console.say("\(name): FAILED: \(error)")
                failed += 1
                continue
            }
            switch known.verdict(for: key, host: endpoint.address, port: endpoint.port) {
            case .trusted(let line):
                Console.say("\(name): \(key) already trusted (\(endpoint.knownHosts):\(line))")
            case .revoked(let line):
                Console.say("\(name): \(key) is REVOKED in \(endpoint.knownHosts):\(line); not added")
                failed += 1
            case .mismatch(let line, let recorded):
                Console.say(
                    "\(name): presents \(key), but \(endpoint.knownHosts):\(line) records \(recorded.fingerprint); "
                        + "not changed (if the host was rebuilt, remove that line and run this again)")
                failed += 1
            case .unknown:
                let line = KnownHosts.line(
                    for: key, host: endpoint.address, port: endpoint.port, hashed: known.isHashed)
                do {
                    try KnownHosts.append(line, to: endpoint.knownHosts)
                    Console.say("\(name): \(key) added to \(endpoint.knownHosts)")
                } catch {
                    Console.say("\(name): cannot add the key to \(endpoint.knownHosts): \(error)")
                    failed += 1
                }
            }
        }
        await connections.jumps.close()
        if failed > 0 { throw ExitCode(Exit.failed) }
    }

    /// Every jump host of the endpoints once, in chain order, each with the hops before it.
    static func jumpHosts(_ endpoints: [SSHEndpoint]) -> [SSHEndpoint] {
        var seen: Set<SSHEndpoint> = []
        var hops: [SSHEndpoint] = []
        for endpoint in endpoints {
            for (index, jump) in endpoint.jumps.enumerated() {
                var hop = jump
                hop.jumps = Array(endpoint.jumps[..<index])
                if seen.insert(hop).inserted { hops.append(hop) }
            }
        }
        return hops
    }
}
