/// Everything needed to reach one host over SSH, resolved (see `SSHConfig.endpoint`).
public struct SSHEndpoint: Sendable, Hashable {
    /// How messages name the host (the name in tarmac.yml).
    public var name: String
    /// The DNS name or IP address to connect to.
    public var address: String
    public var port: Int
    public var user: String
    /// A private key to try after the agent; nil tries the default identities.
    public var identity: String?
    /// The known_hosts file checked (strictly) before authenticating.
    public var knownHosts: String
    /// How long to wait for the TCP connection.
    public var connectTimeout: Duration
    /// How long any wait on the session may last (handshake, auth, a silent link).
    public var ioTimeout: Duration
    /// How often to send SSH keepalives while a program runs.
    public var keepaliveInterval: Duration
    /// Run programs as root with `sudo -n` (never prompts).
    public var sudo: Bool
    /// The deployment group, for the `tarmac hosts trust GROUP` hint.
    public var group: String?
    /// The jump hosts the connection goes through (OpenSSH's `ProxyJump`), first hop first;
    /// each hop is reached through the hops before it.
    public var jumps: [SSHEndpoint] = []

    public init(
        name: String, address: String? = nil, port: Int = 22, user: String, identity: String? = nil,
        knownHosts: String, connectTimeout: Duration = .seconds(10), ioTimeout: Duration = .seconds(30),
        keepaliveInterval: Duration = .seconds(10), sudo: Bool = false, group: String? = nil, jumps: [SSHEndpoint] = []
    ) {
        self.name = name
        self.address = address ?? name
        self.port = port
        self.user = user
        self.identity = identity
        self.knownHosts = knownHosts
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
        self.keepaliveInterval = keepaliveInterval
        self.sudo = sudo
        self.group = group
        self.jumps = jumps
    }

    /// The same endpoint, its jump hosts included, with these timeouts.
    public func with(connectTimeout: Duration, ioTimeout: Duration) -> SSHEndpoint {
        var copy = self
        copy.connectTimeout = connectTimeout
        copy.ioTimeout = ioTimeout
        copy.jumps = jumps.map { $0.with(connectTimeout: connectTimeout, ioTimeout: ioTimeout) }
        return copy
    }

    /// `user@address:port`, for messages.
    public var destination: String { "\(user)@\(KnownHosts.hostName(address, port: port))" }
}

extension Duration {
    /// Whole milliseconds, at least 1 (libssh2 and poll take milliseconds).
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
