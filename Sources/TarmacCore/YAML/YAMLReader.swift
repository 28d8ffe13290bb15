/// Reads typed values out of located nodes and collects a diagnostic for every misfit.
///
/// Every accessor takes the dotted YAML path of the value (`permissions[0].mode`) so that
/// messages name the object; none of them stops at the first problem.
struct YAMLReader {
    /// What to do with keys a schema does not know.
    enum UnknownKeys {
        case warn(String)  // the trailing reason, e.g. "tarmac ignores it"
        case reject
    }

    private(set) var diagnostics: [Diagnostic] = []

    mutating func error(_ message: String, at node: YAMLNode) {
        diagnostics.append(.error(message, at: node.location))
    }

    mutating func warning(_ message: String, at node: YAMLNode) {
        diagnostics.append(.warning(message, at: node.location))
    }

    mutating func append(_ more: [Diagnostic]) {
        diagnostics += more
    }

    /// The path of `key` under `path`.
    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The node as a mapping, or an error saying a mapping was expected.
    mutating func mapping(_ node: YAMLNode, _ path: String, example: String) -> [YAMLPair]? {
        if let pairs = node.pairs { return pairs }
        error("\(path) must be a mapping of keys to values, not \(node.kindDescription); e.g. \(example)", at: node)
        return nil
    }

    /// The node as a list, or an error saying a list was expected (a null reads as empty).
    mutating func list(_ node: YAMLNode, _ path: String, example: String) -> [YAMLNode]? {
        if let items = node.items { return items }
        if node.isNull { return [] }
        error(
            "\(path) must be a list (one \"- \" item per line), not \(node.kindDescription); e.g. \(example)",
            at: node)
        return nil
    }

    /// Reports keys of `pairs` outside `allowed` with a spelling suggestion.
    mutating func checkKeys(_ pairs: [YAMLPair], allowed: [String], _ path: String, _ policy: UnknownKeys) {
        for pair in pairs where !allowed.contains(pair.name) {
            let owner = path.isEmpty ? "at the top level" : "in \(path)"
            var message = "unknown key \(Quote.text(pair.name)) \(owner)"
            if let guess = Spelling.closest(to: pair.name, in: allowed) {
                message += " (did you mean \(Quote.text(guess))?)"
            }
            switch policy {
            case .warn(let reason):
                warning("\(message); \(reason) (known keys: \(Quote.plainList(allowed)))", at: pair.key)
            case .reject:
                error("\(message); remove it or use one of: \(Quote.plainList(allowed))", at: pair.key)
            }
        }
    }

    /// The text of a scalar (nil for null), or an error when the node is a list or mapping.
    mutating func string(_ node: YAMLNode, _ path: String) -> String? {
        guard let scalar = node.scalar else {
            error("\(path) must be a single value, not \(node.kindDescription)", at: node)
            return nil
        }
        return scalar.isNull ? nil : scalar.text
    }

    /// A required non-empty string; reports it missing at `owner` when absent.
    mutating func requiredString(_ node: YAMLNode?, _ path: String, owner: YAMLNode, hint: String) -> String? {
        guard let node, !node.isNull else {
            error("\(path) is missing; \(hint)", at: owner)
            return nil
        }
        guard let text = string(node, path) else { return nil }
        if text.trimmingSpaces.isEmpty {
            error("\(path) is empty; \(hint)", at: node)
            return nil
        }
        return text
    }

    /// A `true`/`false` value.
    mutating func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        if let value = node.scalar?.bool { return value }
        error("\(path) must be true or false, not \(describe(node))", at: node)
        return nil
    }

    /// A whole number; quoted digits only when `allowQuoted`.
    mutating func integer(_ node: YAMLNode, _ path: String, allowQuoted: Bool = false) -> Int? {
        guard let scalar = node.scalar, !scalar.isNull else {
            error("\(path) must be a whole number, not \(describe(node))", at: node)
            return nil
        }
        let text = scalar.text.trimmingSpaces
        if scalar.isQuoted && !allowQuoted {
            error(
                "\(path) must be a number, but \(Quote.text(scalar.text)) is quoted text; remove the quotes", at: node)
            return nil
        }
        if let value = Int(text, radix: 10), !text.hasPrefix("+") {
            return value
        }
        let kind = scalar.looksFractional ? "has a fractional part" : "is not a number"
        error("\(path) \(Quote.text(scalar.text)) \(kind); write a whole number such as 300", at: node)
        return nil
    }

    /// A list of non-empty strings.
    mutating func stringList(_ node: YAMLNode, _ path: String, example: String) -> [String]? {
        guard let items = list(node, path, example: example) else { return nil }
        var values: [String] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = string(item, itemPath) else {
                if item.isNull { error("\(itemPath) is empty; remove the item or give it a value", at: item) }
                continue
            }
            values.append(text)
        }
        return values
    }

    /// A value for messages: quoted text, "a list", "a mapping" or "empty".
    func describe(_ node: YAMLNode) -> String {
        guard let scalar = node.scalar, !scalar.isNull else { return node.kindDescription }
        return Quote.text(scalar.text)
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let start = firstIndex(where: { !isSpace($0) }),
            let end = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
