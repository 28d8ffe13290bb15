import ArgumentParser
import Foundation
import TarmacCore
import TarmacSSH

/// The SSH transports to a group's hosts: tarmac.yml's settings first, then `~/.ssh/config`,
/// then OpenSSH's defaults. Paths in tarmac.yml may be relative to the repository.
struct HostConnections {
    let endpoints: [SSHEndpoint]
    let transports: [SSHTransport]

    init(group: DeploymentGroup, hosts: [DeploymentGroup.Host], repository: String) {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configText = (try? String(contentsOfFile: home + "/.ssh/config", encoding: .utf8)) ?? ""
        let config = SSHConfig(parsing: configText, home: home)
        let user = environment["USER"] ?? String(cString: getpwuid(getuid()).pointee.pw_name)
        func path(_ value: String?) -> String? {
            guard let value, !value.hasPrefix("/"), !value.hasPrefix("~") else { return value }
            return repository + "/" + value
        }
        endpoints = hosts.map { host in
            let settings = SSHHostSettings(
                name: host.name, address: host.address == host.name ? nil : host.address,
                port: host.port == 22 ? nil : host.port, user: group.user, identity: path(group.identity),
                knownHosts: path(group.knownHosts), sudo: group.sudo, group: group.name)
            var endpoint = config.endpoint(for: settings, home: home, currentUser: user)
            endpoint.connectTimeout = .seconds(group.connectTimeout)
            endpoint.ioTimeout = .seconds(group.ioTimeout)
            return endpoint
        }
        transports = endpoints.map { SSHTransport(endpoint: $0) }
    }

    /// Disconnects every host.
    func close() async {
        await withTaskGroup(of: Void.self) { group in
            for transport in transports { group.addTask { await transport.close() } }
        }
    }
}
