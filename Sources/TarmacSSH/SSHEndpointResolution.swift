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

    public init(
        name: String, address: String? = nil, port: Int? = nil, user: String? = nil, identity: String? = nil,
        knownHosts: String? = nil, sudo: Bool = false, group: String? = nil
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.identity = identity
        self.knownHosts = knownHosts
        self.sudo = sudo
        self.group = group
    }
}

extension SSHConfig {
    /// The endpoint for a host: tarmac.yml's explicit settings win, then the ssh config (matched
    /// against the address as written, or the name), then OpenSSH's defaults.
    public func endpoint(for explicit: SSHHostSettings, home: String, currentUser: String) -> SSHEndpoint {
        let typed = explicit.address ?? explicit.name
        let config = settings(for: typed)
        return SSHEndpoint(
            name: explicit.name,
            address: explicit.address ?? config.hostName ?? typed,
            port: explicit.port ?? config.port ?? 22,
            user: explicit.user ?? config.user ?? currentUser,
            identity: explicit.identity.map { Self.expand($0, home: home) } ?? config.identityFiles.first,
            knownHosts: explicit.knownHosts.map { Self.expand($0, home: home) } ?? config.knownHostsFile
                ?? home + "/.ssh/known_hosts",
            sudo: explicit.sudo, group: explicit.group)
    }
}
