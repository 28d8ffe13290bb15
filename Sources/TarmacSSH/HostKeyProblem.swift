/// Why a presented host key is refused, worded so a person can check and fix it.
struct HostKeyProblem {
    var message: String

    /// Nil when the key is trusted.
    init?(verdict: KnownHosts.Verdict, key: HostKey, endpoint: SSHEndpoint, knownHosts: KnownHosts) {
        let name = KnownHosts.hostName(endpoint.address, port: endpoint.port)
        let group = endpoint.group ?? "GROUP"
        switch verdict {
        case .trusted:
            return nil
        case .unknown:
            message =
                "the host key of \(name) is not known (\(key.type) \(key.fingerprint)); nothing was sent. "
                + "Check the fingerprint, then run `tarmac hosts trust \(group)` to add it to \(knownHosts.path)"
        case .mismatch(let line, let known):
            message =
                "the host key of \(name) has CHANGED: it presented \(key.type) \(key.fingerprint), but "
                + "\(knownHosts.path):\(line) records \(known.fingerprint). This may be an attack (or the "
                + "host was reinstalled); nothing was sent. Verify it, then remove line \(line) and run "
                + "`tarmac hosts trust \(group)`"
        case .revoked(let line):
            message =
                "the host key of \(name) (\(key.type) \(key.fingerprint)) is marked @revoked in "
                + "\(knownHosts.path):\(line); refusing to connect"
        }
    }
}
