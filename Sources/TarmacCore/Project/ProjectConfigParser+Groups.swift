/// Reads `groups`: hosts, SSH settings, configuration and install options of each group.
extension ProjectConfigParser {
    static let groupKeys = [
        "hosts", "user", "identity", "known_hosts", "config", "deployment_root", "file_exists_behavior",
        "auto_rollback", "ignore_application_stop_failures", "max_revisions", "max_unpacked_size", "traffic", "sudo",
        "connect_timeout", "io_timeout", "proxy_jump", "window", "health",
    ]

    mutating func groups(_ node: YAMLNode) -> [DeploymentGroup] {
        guard !node.isNull, let pairs = reader.mapping(node, "groups", example: "{ staging: { hosts: [stage1] } }")
        else {
            return []
        }
        return pairs.compactMap { pair in
            let path = "groups.\(pair.name)"
            guard let name = checkedName(pair.name, pair.key, "group name") else { return nil }
            return group(name, pair.value, path, at: pair.key)
        }
    }

    private mutating func group(_ name: String, _ node: YAMLNode, _ path: String, at key: YAMLNode) -> DeploymentGroup?
    {
        guard node.isNull || node.pairs != nil else {
            _ = reader.mapping(node, path, example: "{ hosts: [web1.internal], config: OneAtATime }")
            return nil
        }
        reader.checkKeys(node.pairs ?? [], allowed: Self.groupKeys, path, .reject)
        let hosts = self.hosts(node["hosts"], path + ".hosts", owner: node.isNull ? key : node)
        var group = DeploymentGroup(name: name, application: application, hosts: hosts ?? [], location: key.location)
        group.user = optionalString(node["user"], path + ".user")
        group.identity = optionalString(node["identity"], path + ".identity")
        group.knownHosts = optionalString(node["known_hosts"], path + ".known_hosts")
        if let configNode = node["config"], !configNode.isNull {
            group.config = config(configNode, path, hosts: hosts) ?? group.config
        }
        if let rootNode = node["deployment_root"], let root = deploymentRoot(rootNode, path + ".deployment_root") {
            group.deploymentRoot = root
        }
        if let febNode = node["file_exists_behavior"] {
            group.fileExistsBehavior =
                reader.fileExistsBehavior(febNode, path + ".file_exists_behavior")
                ?? group.fileExistsBehavior
        }
        group.autoRollback = flag(node["auto_rollback"], path + ".auto_rollback") ?? false
        group.ignoreApplicationStopFailures =
            flag(node["ignore_application_stop_failures"], path + ".ignore_application_stop_failures") ?? false
        group.sudo = flag(node["sudo"], path + ".sudo") ?? false
        if let maxNode = node["max_revisions"], !maxNode.isNull,
            let value = reader.integer(maxNode, path + ".max_revisions")
        {
            if value >= 1 {
                group.maxRevisions = value
            } else {
                reader.error(
                    "\(path).max_revisions \(value) must be 1 or more (the installed revision counts)", at: maxNode)
            }
        }
        if let sizeNode = node["max_unpacked_size"], !sizeNode.isNull,
            let text = reader.string(sizeNode, path + ".max_unpacked_size")
        {
            if let bytes = ByteSize.parse(text) {
                group.maxUnpackedSize = bytes
            } else {
                reader.error(
                    "\(path).max_unpacked_size \(Quote.text(text)) is not a size; write bytes or a number with "
                        + "K, M, G or T, e.g. 8G", at: sizeNode)
            }
        }
        if let trafficNode = node["traffic"], !trafficNode.isNull {
            group.traffic = traffic(trafficNode, path + ".traffic")
        }
        group.connectTimeout = seconds(node["connect_timeout"], path + ".connect_timeout") ?? group.connectTimeout
        group.ioTimeout = seconds(node["io_timeout"], path + ".io_timeout") ?? group.ioTimeout
        group.proxyJump = proxyJump(node["proxy_jump"], path + ".proxy_jump")
        group.window = window(node["window"], path + ".window")
        group.health = health(node["health"], path + ".health")
        checkZones(group, node, path)
        return hosts == nil ? nil : group
    }

    /// `proxy_jump: [user@]host[:port][,…]` or `none`, as OpenSSH's `ProxyJump`.
    private mutating func proxyJump(_ node: YAMLNode?, _ path: String) -> [JumpHost]? {
        guard let node, !node.isNull, let text = reader.string(node, path) else { return nil }
        switch Result(catching: { () throws(JumpHost.Problem) in try JumpHost.chain(text) }) {
        case .success(let chain):
            return chain
        case .failure(let problem):
            reader.error("\(path) \(problem.message)", at: node)
            return nil
        }
    }

    /// A timeout in whole seconds, 1 or more.
    private mutating func seconds(_ node: YAMLNode?, _ path: String) -> Int? {
        guard let node, !node.isNull, let value = reader.integer(node, path) else { return nil }
        guard value >= 1 else {
            reader.error("\(path) \(value) must be 1 or more (seconds)", at: node)
            return nil
        }
        return value
    }

    private mutating func hosts(_ node: YAMLNode?, _ path: String, owner: YAMLNode) -> [DeploymentGroup.Host]? {
        guard let node, !node.isNull else {
            reader.error("\(path) is missing; list the group's hosts, e.g. hosts: [web1.internal]", at: owner)
            return nil
        }
        guard let items = reader.list(node, path, example: "[web1.internal, { name: web2, address: 10.0.0.12 }]") else {
            return nil
        }
        if items.isEmpty { reader.error("\(path) is empty; list at least one host", at: node) }
        var hosts: [DeploymentGroup.Host] = []
        var seen: [String: SourceLocation] = [:]
        for (index, item) in items.enumerated() {
            guard let host = host(item, "\(path)[\(index)]") else { continue }
            if let first = seen[host.name] {
                reader.error(
                    "\(path)[\(index)] repeats the host name \(Quote.text(host.name)) of line \(first.line); "
                        + "host names must be unique in a group", at: item)
                continue
            }
            seen[host.name] = item.location
            hosts.append(host)
        }
        return items.isEmpty ? nil : hosts
    }

    private mutating func host(_ item: YAMLNode, _ path: String) -> DeploymentGroup.Host? {
        if let scalar = item.scalar, !scalar.isNull {
            return hostName(scalar.text, item, path).map { DeploymentGroup.Host(name: $0) }
        }
        guard let pairs = reader.mapping(item, path, example: "{ name: web2, address: 10.0.0.12, port: 2222 }") else {
            return nil
        }
        reader.checkKeys(pairs, allowed: ["name", "address", "port", "zone"], path, .reject)
        var name: String?
        if let text = reader.requiredString(item["name"], path + ".name", owner: item, hint: "add e.g. name: web2"),
            let node = item["name"]
        {
            name = hostName(text, node, path + ".name")
        }
        var address: String?
        if let node = item["address"], !node.isNull, let text = reader.string(node, path + ".address") {
            address = hostName(text, node, path + ".address")
            if address == nil { return nil }
        }
        var port = 22
        if let node = item["port"], !node.isNull, let value = reader.integer(node, path + ".port") {
            if (1...65535).contains(value) {
                port = value
            } else {
                reader.error("\(path).port \(value) is not a TCP port; use 1 to 65535", at: node)
                return nil
            }
        }
        let zone = self.zone(item["zone"], path + ".zone")
        return name.map { DeploymentGroup.Host(name: $0, address: address, port: port, zone: zone) }
    }

    /// A host name or address: no spaces or control characters, and no leading `-` (ssh would read an option).
    private mutating func hostName(_ text: String, _ node: YAMLNode, _ path: String) -> String? {
        let bad =
            text.isEmpty || text.hasPrefix("-")
            || text.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0 == "/" }
        guard bad else { return text }
        reader.error(
            "\(path) \(Quote.text(text)) is not a host name or address; write e.g. web1.internal or 10.0.0.12",
            at: node)
        return nil
    }

    private mutating func config(_ node: YAMLNode, _ path: String, hosts: [DeploymentGroup.Host]?) -> DeploymentConfig?
    {
        guard let name = reader.string(node, path + ".config") else { return nil }
        guard let config = DeploymentConfig.predefined(named: name) ?? customConfigs.first(where: { $0.name == name })
        else {
            let known = DeploymentConfig.predefined.map(\.name) + customConfigs.map(\.name)
            var message =
                "\(path).config \(Quote.text(name)) is not a deployment configuration; "
                + "use one of \(Quote.plainList(known))"
            if let guess = Spelling.closest(to: name, in: known) { message += " (did you mean \(Quote.text(guess))?)" }
            reader.error(message, at: node)
            return nil
        }
        if let n = hosts?.count, n > 0 {
            let m = config.minimumHealthy(hostCount: n)
            if m >= n {
                reader.warning(
                    "\(path).config \(name) keeps \(m) of the group's \(n) hosts healthy, so no host may be taken out "
                        + "and every deployment fails to start; add hosts or choose a configuration with fewer healthy hosts",
                    at: node)
            }
        }
        return config
    }

    private mutating func deploymentRoot(_ node: YAMLNode, _ path: String) -> String? {
        guard !node.isNull, let text = reader.string(node, path) else { return nil }
        guard text.hasPrefix("/"), !PathRules.hasParentReference(text) else {
            reader.error(
                "\(path) \(Quote.text(text)) must be an absolute path without \"..\", e.g. /var/lib/tarmac", at: node)
            return nil
        }
        return PathRules.normalizeAbsolute(text)
    }

    private mutating func traffic(_ node: YAMLNode, _ path: String) -> DeploymentGroup.TrafficControl? {
        guard
            let pairs = reader.mapping(node, path, example: "{ block: \"lb-ctl disable $TARMAC_HOST_NAME\", allow: … }")
        else { return nil }
        reader.checkKeys(pairs, allowed: ["block", "allow"], path, .reject)
        let hint = "give the command run on the build box"
        let block = reader.requiredString(node["block"], path + ".block", owner: node, hint: hint)
        let allow = reader.requiredString(node["allow"], path + ".allow", owner: node, hint: hint)
        guard let block, let allow else { return nil }
        return DeploymentGroup.TrafficControl(block: block, allow: allow)
    }

    mutating func optionalString(_ node: YAMLNode?, _ path: String) -> String? {
        guard let node, !node.isNull, let text = reader.string(node, path) else { return nil }
        if text.trimmingSpaces.isEmpty {
            reader.error("\(path) is empty; remove it or give it a value", at: node)
            return nil
        }
        return text
    }

    private mutating func flag(_ node: YAMLNode?, _ path: String) -> Bool? {
        guard let node, !node.isNull else { return nil }
        return reader.bool(node, path)
    }
}
