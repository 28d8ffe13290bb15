/// Reads the `permissions` section: objects, patterns, owners, modes, ACLs, SELinux labels.
struct PermissionParser {
    var reader: YAMLReader

    static let keys = ["object", "pattern", "except", "owner", "group", "mode", "acls", "context", "type"]

    mutating func parse(_ node: YAMLNode) -> [AppSpec.Permission] {
        let example = "\"- object: /var/www/html\" / \"  mode: \\\"0644\\\"\""
        guard let items = reader.list(node, "permissions", example: example) else { return [] }
        return items.enumerated().compactMap { index, item in entry(item, "permissions[\(index)]") }
    }

    private mutating func entry(_ item: YAMLNode, _ path: String) -> AppSpec.Permission? {
        guard let pairs = reader.mapping(item, path, example: "object: /var/www/html, owner: www-data") else {
            return nil
        }
        reader.checkKeys(pairs, allowed: Self.keys, path, .warn("tarmac ignores it"))
        let object = self.object(item["object"], path + ".object", owner: item)
        var permission = AppSpec.Permission(object: object ?? "/", location: item.location)
        if let node = item["pattern"], !node.isNull, let text = reader.string(node, path + ".pattern") {
            permission.pattern = text
        }
        if let node = item["except"] { permission.except = except(node, path + ".except") }
        permission.owner = account(item["owner"], path + ".owner", what: "user")
        permission.group = account(item["group"], path + ".group", what: "group")
        if let node = item["mode"] { permission.mode = mode(node, path + ".mode") }
        if let node = item["acls"] { permission.acls = acls(node, path + ".acls") }
        if let node = item["context"] {
            var context = SELinuxContextParser(reader: reader)
            permission.context = context.parse(node, path + ".context")
            reader = context.reader
        }
        if let node = item["type"] { permission.types = types(node, path + ".type") }
        let setters: Set = ["owner", "group", "mode", "acls", "context"]
        if object != nil && !pairs.contains(where: { setters.contains($0.name) && !$0.value.isNull }) {
            reader.warning("\(path) sets nothing; add owner, group, mode, acls or context, or remove it", at: item)
        }
        return object == nil ? nil : permission
    }

    private mutating func object(_ node: YAMLNode?, _ path: String, owner: YAMLNode) -> String? {
        let hint = "name the host path the entry applies to, e.g. \"/var/www/html\""
        guard let raw = reader.requiredString(node, path, owner: owner, hint: hint), let node else { return nil }
        let text = raw.trimmingSpaces
        if !text.hasPrefix("/") {
            reader.warning(
                "\(path) \(Quote.text(text)) is not an absolute path; tarmac reads it as \(Quote.text("/" + text)), so write that",
                at: node)
        }
        return PathRules.normalizeAbsolute(text)
    }

    private mutating func except(_ node: YAMLNode, _ path: String) -> [String] {
        guard let values = reader.stringList(node, path, example: "[\"*.tmp\"]") else { return [] }
        for (index, value) in values.enumerated() where value.containsASCII("/") {
            reader.warning(
                "\(path)[\(index)] \(Quote.text(value)) contains \"/\", so it never matches; "
                    + "except holds simple globs of names directly under object", at: node.items?[index] ?? node)
        }
        return values
    }

    private mutating func account(_ node: YAMLNode?, _ path: String, what: String) -> String? {
        guard let node, !node.isNull, let text = reader.string(node, path) else { return nil }
        let name = text.trimmingSpaces
        if name.isEmpty || name.contains(where: { $0 == ":" || $0 == " " || $0 == "\t" }) {
            reader.error(
                "\(path) \(Quote.text(text)) is not a \(what) name; write the \(what) name alone, e.g. www-data",
                at: node)
            return nil
        }
        return name
    }

    private mutating func mode(_ node: YAMLNode, _ path: String) -> FileMode? {
        guard !node.isNull, let scalar = node.scalar else {
            if !node.isNull {
                reader.error("\(path) must be 1–4 octal digits such as \"0644\", not \(node.kindDescription)", at: node)
            }
            return nil
        }
        let text = scalar.text
        let fix = "a mode is 1–4 octal digits (0–7), e.g. \"0755\""
        switch FileMode.parse(text) {
        case .success(let mode):
            if !scalar.isQuoted && text.count > 1 && text.hasPrefix("0") {
                reader.warning(
                    "\(path) \(text) is an unquoted number with a leading zero; tarmac reads it as octal \(mode), "
                        + "but YAML 1.1 tools read it as the integer \(mode.bits), so quote it: \(Quote.text(text))",
                    at: node)
            }
            return mode
        case .failure(let box):
            switch box.problem {
            case .empty:
                reader.error("\(path) is empty; \(fix)", at: node)
            case .tooLong(let count):
                reader.error("\(path) \(Quote.text(text)) has \(count) characters; \(fix)", at: node)
            case .invalidCharacter(let c):
                let what = c.isNumber ? "the digit \(c)" : "the character \(Quote.text(String(c)))"
                let symbolic = "+=".contains(c) || "ugoa".contains(c) ? " (symbolic modes are not supported)" : ""
                reader.error("\(path) \(Quote.text(text)) has \(what)\(symbolic); \(fix)", at: node)
            }
            return nil
        }
    }

    private mutating func acls(_ node: YAMLNode, _ path: String) -> [ACLEntry] {
        guard let values = reader.stringList(node, path, example: "[\"u:bob:rwx\", \"d:g:www:5\"]") else { return [] }
        var entries: [ACLEntry] = []
        for (index, text) in values.enumerated() {
            let at = node.items?[index] ?? node
            let entryPath = "\(path)[\(index)] \(Quote.text(text))"
            switch ACLEntry.parse(text) {
            case .success(let entry): entries.append(entry)
            case .failure(.malformed):
                reader.error(
                    "\(entryPath) is not an ACL entry; write [d:][u|g|m|o:][name:]perms, e.g. \"u:bob:rwx\" or \"d:g:www:5\" "
                        + "(mask and other take no name)", at: at)
            case .failure(.baseEntry):
                reader.error(
                    "\(entryPath) is a base entry for the owner, group or others; set those bits with mode "
                        + "and keep acls for named users and groups", at: at)
            case .failure(.invalidCharacter(let c)):
                reader.error(
                    "\(entryPath) has \(Quote.text(String(c))) in its permissions; use one digit 0–7 or the letters r, w, x and -",
                    at: at)
            }
        }
        return entries
    }

    private mutating func types(_ node: YAMLNode, _ path: String) -> [AppSpec.ObjectType] {
        var values: [String]
        if let scalar = node.scalar, !scalar.isNull {
            reader.warning("\(path) should be a list; write type: [\(scalar.text)]", at: node)
            values = [scalar.text]
        } else {
            values = reader.stringList(node, path, example: "[file, directory]") ?? []
        }
        var types: [AppSpec.ObjectType] = []
        for (index, value) in values.enumerated() {
            if let type = AppSpec.ObjectType(rawValue: value) {
                if !types.contains(type) { types.append(type) }
            } else {
                reader.error(
                    "\(path)[\(index)] \(Quote.text(value)) is not an object type; use file or directory",
                    at: node.items?[index] ?? node)
            }
        }
        if values.isEmpty {
            reader.warning(
                "\(path) is empty, so the entry applies to nothing; remove type to mean [file, directory]",
                at: node)
        }
        return types
    }
}
