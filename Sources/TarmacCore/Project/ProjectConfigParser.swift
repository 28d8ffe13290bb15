extension ProjectConfig {
    /// The top-level keys of tarmac.yml.
    public static let topLevelKeys = ["application", "bundle", "deployment_configs", "groups", "pipeline"]

    /// Parses and validates `tarmac.yml`, reporting every problem at once; unknown keys are errors.
    ///
    /// `file` is the path string used in every diagnostic. The configuration, with every
    /// default filled in, is returned only when no diagnostic is an error.
    public static func parse(_ text: String, file: String) -> (ProjectConfig?, [Diagnostic]) {
        let document = YAMLDocument.parse(text, file: file)
        var diagnostics = document.diagnostics
        if document.isEmpty {
            diagnostics.append(
                .error(
                    "the file is empty; it needs at least \"application: NAME\" and a group under groups",
                    at: SourceLocation(file: file, line: 0, column: 0)))
            return (nil, diagnostics)
        }
        guard let root = document.root else { return (nil, diagnostics) }
        var parser = ProjectConfigParser()
        let config = parser.parse(root)
        diagnostics += parser.reader.diagnostics
        return (diagnostics.hasErrors ? nil : config, diagnostics.sortedByLocation())
    }
}

/// Reads tarmac.yml; groups and pipeline are in the extensions next to this file.
struct ProjectConfigParser {
    var reader = YAMLReader()
    var application = ""
    var customConfigs: [DeploymentConfig] = []

    static let nameRule = "use 1–100 letters, digits, \".\", \"_\" or \"-\", starting with a letter or digit"

    mutating func parse(_ root: YAMLNode) -> ProjectConfig? {
        guard let pairs = reader.mapping(root, "tarmac.yml", example: "application: my-app") else { return nil }
        reader.checkKeys(pairs, allowed: ProjectConfig.topLevelKeys, "", .reject)
        application = name(root["application"], "application", owner: root) ?? ""
        var config = ProjectConfig(application: application)
        if let node = root["bundle"] { config.bundle = bundle(node) }
        if let node = root["deployment_configs"] { customConfigs = deploymentConfigs(node) }
        config.deploymentConfigs = customConfigs
        if let node = root["groups"] { config.groups = groups(node) }
        let declared = root["groups"]?.pairs?.map(\.name) ?? []
        if let node = root["pipeline"], !node.isNull { config.pipeline = pipeline(node, groups: declared) }
        return config
    }

    /// A required safe name (application, group or configuration).
    mutating func name(_ node: YAMLNode?, _ path: String, owner: YAMLNode) -> String? {
        guard let text = reader.requiredString(node, path, owner: owner, hint: "add e.g. \(path): my-app"),
            let node
        else { return nil }
        return checkedName(text, node, path)
    }

    mutating func checkedName(_ text: String, _ node: YAMLNode, _ path: String) -> String? {
        guard PathRules.isSafeName(text) else {
            reader.error("\(path) \(Quote.text(text)) is not a valid name; \(Self.nameRule)", at: node)
            return nil
        }
        return text
    }

    private mutating func bundle(_ node: YAMLNode) -> BundleSettings {
        var settings = BundleSettings()
        guard !node.isNull, let pairs = reader.mapping(node, "bundle", example: "{ root: site, format: tar.gz }") else {
            return settings
        }
        reader.checkKeys(pairs, allowed: ["root", "format"], "bundle", .reject)
        if let rootNode = node["root"], !rootNode.isNull, let text = reader.string(rootNode, "bundle.root") {
            if text.hasPrefix("/") {
                reader.error(
                    "bundle.root \(Quote.text(text)) is absolute; write a directory relative to the repository root, e.g. site",
                    at: rootNode)
            } else if PathRules.hasParentReference(text) {
                reader.error(
                    "bundle.root \(Quote.text(text)) has a \"..\" component; it must be inside the repository",
                    at: rootNode)
            } else {
                let clean = RevisionTree.normalize(text)
                settings.root = clean.isEmpty ? "." : clean
            }
        }
        if let formatNode = node["format"], !formatNode.isNull, let text = reader.string(formatNode, "bundle.format") {
            if let format = BundleFormat(rawValue: text) {
                settings.format = format
            } else {
                let allowed = Quote.plainList(BundleFormat.allCases.map(\.rawValue))
                reader.error(
                    "bundle.format \(Quote.text(text)) is not a bundle format; use one of \(allowed)", at: formatNode)
            }
        }
        return settings
    }

    private mutating func deploymentConfigs(_ node: YAMLNode) -> [DeploymentConfig] {
        let example = "{ NinetyPercent: { minimum_healthy_hosts: { type: FLEET_PERCENT, value: 90 } } }"
        guard !node.isNull, let pairs = reader.mapping(node, "deployment_configs", example: example) else { return [] }
        var configs: [DeploymentConfig] = []
        for pair in pairs {
            let path = "deployment_configs.\(pair.name)"
            guard let name = checkedName(pair.name, pair.key, "deployment configuration name") else { continue }
            if DeploymentConfig.predefined(named: name) != nil {
                reader.error("\(path) has the name of a predefined configuration; choose another name", at: pair.key)
                continue
            }
            let rule = minimumHealthyHosts(pair.value, path)
            let (zonal, bake) = gates(pair.value, path)
            if let rule {
                configs.append(DeploymentConfig(name: name, rule: rule, zonal: zonal, bake: bake))
            }
        }
        return configs
    }

    private mutating func minimumHealthyHosts(_ node: YAMLNode, _ path: String) -> DeploymentConfig.Rule? {
        guard
            let pairs = reader.mapping(node, path, example: "{ minimum_healthy_hosts: { type: HOST_COUNT, value: 1 } }")
        else { return nil }
        reader.checkKeys(pairs, allowed: ["minimum_healthy_hosts"] + Self.gateKeys, path, .reject)
        let mhhPath = path + ".minimum_healthy_hosts"
        guard let mhh = node["minimum_healthy_hosts"], !mhh.isNull else {
            reader.error(
                "\(mhhPath) is missing; add e.g. minimum_healthy_hosts: { type: HOST_COUNT, value: 1 }", at: node)
            return nil
        }
        return rule(mhh, mhhPath)
    }

    /// A `{ type: HOST_COUNT|FLEET_PERCENT, value: N }` mapping.
    mutating func rule(_ mhh: YAMLNode, _ mhhPath: String) -> DeploymentConfig.Rule? {
        guard let mhhPairs = reader.mapping(mhh, mhhPath, example: "{ type: FLEET_PERCENT, value: 75 }") else {
            return nil
        }
        reader.checkKeys(mhhPairs, allowed: ["type", "value"], mhhPath, .reject)
        let type = reader.requiredString(
            mhh["type"], mhhPath + ".type", owner: mhh, hint: "use HOST_COUNT or FLEET_PERCENT")
        guard let valueNode = mhh["value"], !valueNode.isNull else {
            reader.error("\(mhhPath).value is missing; add a whole number", at: mhh)
            return nil
        }
        let value = reader.integer(valueNode, mhhPath + ".value")
        guard let type, let value else { return nil }
        switch type {
        case "HOST_COUNT" where value >= 0: return .hostCount(value)
        case "FLEET_PERCENT" where (0...100).contains(value): return .fleetPercent(value)
        case "HOST_COUNT":
            reader.error("\(mhhPath).value \(value) is negative; a host count is 0 or more", at: valueNode)
        case "FLEET_PERCENT":
            reader.error("\(mhhPath).value \(value) is not a percentage; use 0 to 100", at: valueNode)
        default:
            reader.error(
                "\(mhhPath).type \(Quote.text(type)) is not valid; use HOST_COUNT or FLEET_PERCENT",
                at: mhh["type"] ?? mhh)
        }
        return nil
    }
}
