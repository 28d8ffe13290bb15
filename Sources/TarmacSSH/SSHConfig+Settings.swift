import TarmacCore

extension SSHConfig {
    /// The settings that apply to one host name.
    public struct Settings: Sendable, Equatable {
        public var hostName: String?
        public var user: String?
        public var port: Int?
        public var identityFiles: [String] = []
        public var knownHostsFile: String?
        /// The `ProxyJump` chain (empty for `none`); nil when no block sets one.
        public var proxyJump: [JumpHost]?
    }

    /// A key tarmac refuses: its spelling in OpenSSH's manual, the values that leave it off,
    /// and why it is refused.
    public struct RefusedKey: Sendable {
        public var name: String
        public var off: Set<String>
        public var reason: String
    }

    /// Keys that change where or how a connection is made and that tarmac does not implement,
    /// by their lowercased name.
    public static let refusedKeys: [String: RefusedKey] = Dictionary(
        uniqueKeysWithValues: [
            RefusedKey(
                name: "ProxyCommand", off: ["none"],
                reason: "tarmac makes its own connections; use ProxyJump (or proxy_jump in tarmac.yml)"),
            RefusedKey(name: "ProxyUseFdpass", off: ["no"], reason: "tarmac does not run proxy commands"),
            RefusedKey(name: "RemoteCommand", off: ["none"], reason: "tarmac runs its own programs on the host"),
            RefusedKey(name: "PermitLocalCommand", off: ["no"], reason: "tarmac does not run LocalCommand"),
            RefusedKey(
                name: "HostKeyAlias", off: [], reason: "tarmac checks the host key under the address it connects to"),
            RefusedKey(name: "CanonicalizeHostname", off: ["no"], reason: "tarmac does not canonicalize host names"),
            RefusedKey(name: "BindAddress", off: [], reason: "tarmac does not choose a local address"),
            RefusedKey(name: "BindInterface", off: [], reason: "tarmac does not choose a local interface"),
            RefusedKey(name: "AddressFamily", off: ["any"], reason: "tarmac uses every address a name resolves to"),
            RefusedKey(
                name: "IdentityAgent", off: ["ssh_auth_sock", "$ssh_auth_sock"],
                reason: "tarmac uses the agent at $SSH_AUTH_SOCK"),
            RefusedKey(name: "CertificateFile", off: [], reason: "tarmac does not log in with certificates"),
            RefusedKey(
                name: "PKCS11Provider", off: ["none"], reason: "tarmac logs in with the agent or key files only"),
            RefusedKey(
                name: "SecurityKeyProvider", off: ["internal"],
                reason: "tarmac logs in with the agent or key files only"),
            RefusedKey(
                name: "KnownHostsCommand", off: ["none"], reason: "tarmac reads host keys from known_hosts files only"),
            RefusedKey(name: "Include", off: [], reason: "cannot be followed here"),
        ].map { ($0.name.lowercased(), $0) })

    /// The settings for `host` (the name as the user would type it after `ssh`); throws when
    /// a refused key or an unsupported `Match` criterion applies to it.
    /// `localUser` is who runs tarmac, for `Match localuser` (refused without it).
    public func settings(for host: String, localUser: String? = nil) throws(Refusal) -> Settings {
        var settings = Settings()
        var seen: Set<String> = []
        for block in blocks {
            let context = MatchContext(host: host, hostName: settings.hostName, localUser: localUser)
            guard try applies(block.selector, context) else { continue }
            for option in block.options {
                try apply(option, to: &settings, host: host, seen: &seen)
            }
        }
        return settings
    }

    private func apply(_ option: Option, to settings: inout Settings, host: String, seen: inout Set<String>)
        throws(Refusal)
    {
        // ProxyJump and ProxyCommand share one setting in OpenSSH: the first of either wins.
        let slot = option.key == "proxycommand" ? "proxyjump" : option.key
        let first = seen.insert(slot).inserted
        let value = option.value
        switch option.key {
        case "hostname": if first { settings.hostName = value.replacing("%h", with: host) }
        case "user": if first { settings.user = value }
        case "port":
            guard first else { return }
            guard let port = Int(value), (1...65535).contains(port) else {
                throw refusal(option, host, "\(value) is not a TCP port")
            }
            settings.port = port
        case "identityfile": settings.identityFiles.append(value)
        case "userknownhostsfile":
            if first { settings.knownHostsFile = value.split(whereSeparator: \.isWhitespace).first.map(String.init) }
        case "proxyjump":
            guard first else { return }
            switch Result(catching: { () throws(JumpHost.Problem) in try JumpHost.chain(value) }) {
            case .success(let chain): settings.proxyJump = chain
            case .failure(let problem): throw refusal(option, host, problem.message)
            }
        default:
            guard first, let refused = Self.refusedKeys[option.key], !refused.off.contains(value.lowercased()) else {
                return
            }
            throw refusal(option, host, "is not supported: \(refused.reason)")
        }
    }

    private func refusal(_ option: Option, _ host: String, _ reason: String) -> Refusal {
        Refusal(file: option.file, line: option.line, key: Self.spelling(option.key), host: host, reason: reason)
    }

    /// Whether a block applies: `Host` patterns match the name as typed; `Match` criteria are
    /// checked in order and stop at the first that fails, as in OpenSSH.
    private struct MatchContext {
        var host: String
        var hostName: String?
        var localUser: String?
    }

    private func applies(_ selector: Selector, _ context: MatchContext) throws(Refusal) -> Bool {
        let host = context.host
        switch selector {
        case .host(let patterns):
            return HostPattern.matchesList(patterns.map { Substring($0) }, host)
        case .match(let words, let file, let line):
            var index = 0
            while index < words.count {
                let word = words[index].lowercased()
                let negated = word.hasPrefix("!")
                let criterion = negated ? String(word.dropFirst()) : word
                let result: Bool
                switch criterion {
                case "all":
                    result = true
                    index += 1
                case "host", "originalhost",
                    "localuser" where criterion != "localuser" || context.localUser != nil:
                    guard index + 1 < words.count else {
                        throw Refusal(
                            file: file, line: line, key: "Match", host: host, reason: "\(criterion) needs patterns")
                    }
                    let name =
                        switch criterion {
                        case "host": context.hostName ?? host
                        case "localuser": context.localUser ?? ""
                        default: host
                        }
                    result = HostPattern.matchesList(words[index + 1].split(separator: ","), name)
                    index += 2
                default:
                    throw Refusal(
                        file: file, line: line, key: "Match \(criterion)", host: host,
                        reason: "is not supported: tarmac evaluates only Match all, host, originalhost and localuser")
                }
                if result == negated { return false }
            }
            return true
        }
    }

    /// The key as OpenSSH's manual spells it, for messages.
    static func spelling(_ key: String) -> String {
        refusedKeys[key]?.name ?? ["proxyjump": "ProxyJump", "port": "Port"][key] ?? key
    }
}
