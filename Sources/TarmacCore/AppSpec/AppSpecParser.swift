extension AppSpec {
    /// The top-level keys an EC2/on-premises AppSpec may have.
    public static let topLevelKeys = ["version", "os", "files", "file_exists_behavior", "permissions", "hooks"]

    /// Parses and validates an AppSpec, reporting every problem at once.
    ///
    /// `file` is the path string used in every diagnostic. With a `tree`, the paths the
    /// AppSpec names are also checked against the revision. The AppSpec is returned only when
    /// no diagnostic is an error.
    public static func parse(_ text: String, file: String, tree: RevisionTree? = nil) -> (AppSpec?, [Diagnostic]) {
        let document = YAMLDocument.parse(text, file: file)
        var diagnostics = document.diagnostics
        if document.isEmpty {
            diagnostics.append(
                .error(
                    "the AppSpec is empty (only blank lines or comments); it needs at least \"version: 0.0\" and \"os: linux\"",
                    at: SourceLocation(file: file, line: 0, column: 0)))
            return (nil, diagnostics)
        }
        guard let root = document.root else { return (nil, diagnostics) }
        var parser = AppSpecParser()
        let spec = parser.parse(root)
        diagnostics += parser.reader.diagnostics
        if let spec, let tree {
            diagnostics += AppSpecTreeChecks(spec: spec, tree: tree).run()
        }
        return (diagnostics.hasErrors ? nil : spec, diagnostics.sortedByLocation())
    }
}

/// Reads the top level, `version`, `os`, `files` and `file_exists_behavior`.
struct AppSpecParser {
    var reader = YAMLReader()

    /// The AppSpec with every invalid part left out, or nil when the root is not a mapping.
    mutating func parse(_ root: YAMLNode) -> AppSpec? {
        guard let pairs = root.pairs else {
            reader.error(
                "an AppSpec must be a YAML mapping with the keys version, os, files, permissions and hooks, "
                    + "not \(root.kindDescription)", at: root)
            return nil
        }
        reader.checkKeys(pairs, allowed: AppSpec.topLevelKeys, "", .warn("tarmac ignores it"))
        var spec = AppSpec(location: root.location)
        spec.version = version(root["version"], owner: root) ?? spec.version
        spec.os = os(root["os"], owner: root) ?? spec.os
        if let node = root["files"] { spec.files = files(node) }
        if let node = root["file_exists_behavior"] {
            spec.fileExistsBehavior = reader.fileExistsBehavior(node, "file_exists_behavior")
        }
        if let node = root["permissions"] {
            var permissions = PermissionParser(reader: reader)
            spec.permissions = permissions.parse(node)
            reader = permissions.reader
        }
        if let node = root["hooks"] {
            var hooks = HookParser(reader: reader)
            spec.hooks = hooks.parse(node)
            reader = hooks.reader
        }
        return spec
    }

    private mutating func version(_ node: YAMLNode?, owner: YAMLNode) -> String? {
        guard let node, !node.isNull else {
            reader.error("version is missing; add \"version: 0.0\" at the top level", at: owner)
            return nil
        }
        guard let scalar = node.scalar else {
            reader.error("version must be 0.0, not \(node.kindDescription)", at: node)
            return nil
        }
        let text = scalar.text
        let numeric = !text.isEmpty && text.allSatisfy { "0123456789.+-".contains($0) } && Double(text) == 0
        if scalar.isQuoted && numeric {
            reader.error(
                "version \(Quote.text(text)) is quoted, which makes it text; write version: 0.0 without quotes",
                at: node)
            return nil
        }
        guard numeric, !scalar.isQuoted else {
            reader.error("version \(Quote.text(text)) is not supported; the only AppSpec version is 0.0", at: node)
            return nil
        }
        return text
    }

    private mutating func os(_ node: YAMLNode?, owner: YAMLNode) -> String? {
        guard let node, !node.isNull else {
            reader.error("os is missing; add \"os: linux\" at the top level", at: owner)
            return nil
        }
        guard let text = reader.string(node, "os") else { return nil }
        switch text {
        case "linux": return text
        case _ where text.lowercased() == "linux":
            reader.error("os \(Quote.text(text)) must be lower case; write os: linux", at: node)
        case _ where text.lowercased() == "windows":
            reader.error(
                "os \(Quote.text(text)) is not supported; tarmac deploys to Linux hosts only, so write os: linux",
                at: node)
        default:
            reader.error("os \(Quote.text(text)) is not supported; write os: linux", at: node)
        }
        return nil
    }

    private mutating func files(_ node: YAMLNode) -> [AppSpec.FileMapping] {
        let example = "\"- source: site\" / \"  destination: /var/www/html\""
        guard let items = reader.list(node, "files", example: example) else { return [] }
        var mappings: [AppSpec.FileMapping] = []
        for (index, item) in items.enumerated() {
            let path = "files[\(index)]"
            guard let pairs = reader.mapping(item, path, example: "source: site, destination: /var/www/html") else {
                continue
            }
            reader.checkKeys(pairs, allowed: ["source", "destination"], path, .warn("tarmac ignores it"))
            let source = self.source(item["source"], path: path + ".source", owner: item)
            let destination = self.destination(item["destination"], path: path + ".destination", owner: item)
            if let source, let destination {
                mappings.append(AppSpec.FileMapping(source: source, destination: destination, location: item.location))
            }
        }
        return mappings
    }

    private mutating func source(_ node: YAMLNode?, path: String, owner: YAMLNode) -> String? {
        let hint = "name a file or directory of the revision, or \"/\" for all of it"
        guard let text = reader.requiredString(node, path, owner: owner, hint: hint), let node else { return nil }
        let normalized = RevisionTree.normalize(text)
        if normalized == ".tarmac" || normalized.hasPrefix(".tarmac/") {
            reader.error(
                "\(path) \(Quote.text(text)) is inside .tarmac/, which is reserved for the bundle manifest; "
                    + "move those files to another directory", at: node)
            return nil
        }
        return checkedPath(text, node, path, kind: "sources are paths inside the revision")
    }

    private mutating func destination(_ node: YAMLNode?, path: String, owner: YAMLNode) -> String? {
        let hint = "name the host directory the files go into, e.g. \"/var/www/html\""
        guard let text = reader.requiredString(node, path, owner: owner, hint: hint), let node else { return nil }
        guard text.hasPrefix("/") else {
            reader.error(
                "\(path) \(Quote.text(text)) is not an absolute path; write the full host path, e.g. \(Quote.text("/" + text))",
                at: node)
            return nil
        }
        return checkedPath(text, node, path, kind: "write the destination without \"..\"")
    }

    /// Rejects `..` components and control characters in a path.
    mutating func checkedPath(_ text: String, _ node: YAMLNode, _ path: String, kind: String) -> String? {
        if PathRules.hasParentReference(text) {
            reader.error("\(path) \(Quote.text(text)) has a \"..\" component; \(kind)", at: node)
            return nil
        }
        if PathRules.hasControlCharacter(text) {
            reader.error("\(path) \(Quote.text(text)) contains a control character; rename the path", at: node)
            return nil
        }
        return text
    }
}
