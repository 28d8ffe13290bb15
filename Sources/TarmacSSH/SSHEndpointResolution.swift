import TarmacCore

/// What tarmac.yml says about a host's SSH connection; nil means "not set there".
public struct SSHHostSettings: Sendable, Equatable {
    public var name: String
    public var address: String?
    public var port: Int?
    public var user: String?
    public var identity: String?
    public var knownHosts: String?
    public var sudo: Bool
    public var group: String?
    /// The group's `proxy_jump` (empty for `none`); nil leaves it to the ssh config.
    public var proxyJump: [JumpHost]?

    public init(
        name: String, address: String? = nil, port: Int? = nil, user: String? = nil, identity: String? = nil,
        knownHosts: String? = nil, sudo: Bool = false, group: String? = nil, proxyJump: [JumpHost]? = nil
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.identity = identity
        self.knownHosts = knownHosts
        self.sudo = sudo
        self.group = group
        self.proxyJump = proxyJump
    }
}

extension SSHConfig {
    /// The longest jump chain followed (a hop whose own `ProxyJump` leads back makes a loop).
    static let maximumJumps = 8

    /// The endpoint for a host: tarmac.yml's explicit settings win, then the ssh config (matched
    /// against the address as written, or the name), then OpenSSH's defaults. The jump chain
    /// is tarmac.yml's `proxy_jump`, else the config's `ProxyJump`; each hop is resolved by
    /// `jumpEndpoint`.
    public func endpoint(for explicit: SSHHostSettings, home: String, currentUser: String) throws(Refusal)
        -> SSHEndpoint
    {
        let typed = explicit.address ?? explicit.name
        let config = try settings(for: typed, localUser: currentUser)
        let knownHosts = explicit.knownHosts.map { Self.expand($0, home: home) }
        let identity = explicit.identity.map { Self.expand($0, home: home) }
        let fallback = Fallback(identity: identity, knownHosts: knownHosts, home: home, currentUser: currentUser)
        let hops = explicit.proxyJump ?? config.proxyJump ?? []
        return SSHEndpoint(
            name: explicit.name,
            address: explicit.address ?? config.hostName ?? typed,
            port: explicit.port ?? config.port ?? 22,
            user: explicit.user ?? config.user ?? currentUser,
            identity: identity ?? config.identityFiles.first,
            knownHosts: knownHosts ?? config.knownHostsFile ?? home + "/.ssh/known_hosts",
            sudo: explicit.sudo, group: explicit.group,
            jumps: try jumpChain(hops, fallback: fallback, group: explicit.group, for: typed, depth: 0))
    }

    /// What a jump host uses when its own config entry does not say: the group's identity and
    /// known_hosts file (tarmac.yml), then OpenSSH's defaults. The group's `user` is the
    /// targets' account and does not apply to jump hosts.
    struct Fallback {
        var identity: String?
        var knownHosts: String?
        var home: String
        var currentUser: String
    }

    /// The endpoints of a chain, first hop first. As in OpenSSH, the first hop's own
    /// `ProxyJump` (from its config entry) is followed; later hops are reached through the
    /// hops written before them.
    private func jumpChain(_ hops: [JumpHost], fallback: Fallback, group: String?, for host: String, depth: Int)
        throws(Refusal) -> [SSHEndpoint]
    {
        guard let first = hops.first else { return [] }
        guard depth + hops.count <= Self.maximumJumps else {
            throw Refusal(
                file: path, line: 0, key: "ProxyJump", host: host,
                reason: "leads through more than \(Self.maximumJumps) jump hosts (a loop?)")
        }
        var chain: [SSHEndpoint] = []
        for (index, hop) in hops.enumerated() {
            let config = try settings(for: hop.host, localUser: fallback.currentUser)
            // A hop's own ProxyJump naming itself (`Host *` blocks) is no jump.
            if index == 0, let own = config.proxyJump, !own.isEmpty, own.first?.host != hop.host {
                chain = try jumpChain(own, fallback: fallback, group: group, for: first.host, depth: depth + hops.count)
            }
            chain.append(
                SSHEndpoint(
                    name: hop.host, address: config.hostName ?? hop.host, port: hop.port ?? config.port ?? 22,
                    user: hop.user ?? config.user ?? fallback.currentUser,
                    identity: config.identityFiles.first ?? fallback.identity,
                    knownHosts: config.knownHostsFile ?? fallback.knownHosts ?? fallback.home + "/.ssh/known_hosts",
                    group: group))
        }
        return chain
    }
}
