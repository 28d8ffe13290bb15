import ArgumentParser
import Foundation
import TarmacCore
import TarmacSSH

/// The SSH transports to a group's hosts: tarmac.yml's settings first, then `~/.ssh/config`,
/// then OpenSSH's defaults. Paths in tarmac.yml may be relative to the repository. Hosts
/// behind the same jump hosts share one connection to them (`jumps`), closed by `close()`.
struct HostConnections {
    let endpoints: [SSHEndpoint]
    let transports: [SSHTransport]
    let jumps: SSHJumps

    /// Connections for a command: says why and exits 2 when a host's settings cannot be honoured.
    static func open(group: DeploymentGroup, hosts: [DeploymentGroup.Host], repository: String) throws
        -> HostConnections
    {
        do {
            return try HostConnections(group: group, hosts: hosts, repository: repository)
        } catch {
            Console.say("\(error)")
            throw ExitCode(Exit.invalidInput)
        }
    }

    /// Throws when `~/.ssh/config` sets a key tarmac cannot honour for a host.
    init(group: DeploymentGroup, hosts: [DeploymentGroup.Host], repository: String) throws(SSHConfig.Refusal) {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? NSHomeDirectory()
        let config = Self.sshConfig(home: home)
        let user = environment["USER"] ?? String(cString: getpwuid(getuid()).pointee.pw_name)
        func path(_ value: String?) -> String? {
            guard let value, !value.hasPrefix("/"), !value.hasPrefix("~") else { return value }
            return repository + "/" + value
        }
        endpoints = try hosts.map { host throws(SSHConfig.Refusal) in
            let settings = SSHHostSettings(
                name: host.name, address: host.address == host.name ? nil : host.address,
                port: host.port == 22 ? nil : host.port, user: group.user, identity: path(group.identity),
                knownHosts: path(group.knownHosts), sudo: group.sudo, group: group.name,
                proxyJump: group.proxyJump)
            return try config.endpoint(for: settings, home: home, currentUser: user).with(
                connectTimeout: .seconds(group.connectTimeout), ioTimeout: .seconds(group.ioTimeout))
        }
        let jumps = SSHJumps(environment: environment)
        self.jumps = jumps
        // What each host keeps of the last programs (their next ones go as edits): beside the bundles.
        let kept = KeptPrograms(directory: repository + "/.tarmac/programs")
        transports = endpoints.map { SSHTransport(endpoint: $0, environment: environment, jumps: jumps, kept: kept) }
    }

    /// `~/.ssh/config`, following its `Include` lines (glob patterns, as in OpenSSH).
    static func sshConfig(home: String) -> SSHConfig {
        let path = home + "/.ssh/config"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return SSHConfig(parsing: text, path: path, home: home) { pattern in
            var found = glob_t()
            defer { globfree(&found) }
            guard glob(pattern, 0, nil, &found) == 0 else { return [] }
            return (0..<Int(found.gl_pathc)).compactMap { index in
                guard let pointer = found.gl_pathv[index] else { return nil }
                let file = String(cString: pointer)
                return (try? String(contentsOfFile: file, encoding: .utf8)).map { (file, $0) }
            }
        }
    }

    /// Disconnects every host, then the jump hosts.
    func close() async {
        await Self.close(transports, jumps: jumps)
    }

    static func close(_ transports: [SSHTransport], jumps: SSHJumps) async {
        await withTaskGroup(of: Void.self) { group in
            for transport in transports { group.addTask { await transport.close() } }
        }
        await jumps.close()
    }
}
