import Yams

/// Turns Yams nodes into located `YAMLNode`s and finds duplicate keys on the way.
struct NodeConverter {
    let file: String
    let recovery: DuplicateKeyRecovery
    private(set) var duplicateKeyErrors: [Diagnostic] = []
    private var budget = YAMLDocument.maximumNodeCount

    init(file: String, recovery: DuplicateKeyRecovery) {
        self.file = file
        self.recovery = recovery
    }

    /// The located copy of `node`, or nil when the node budget runs out.
    mutating func convert(_ node: Yams.Node) -> YAMLNode? {
        budget -= 1
        guard budget >= 0 else { return nil }
        let location = SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        switch node {
        case .scalar(let scalar):
            return YAMLNode(.scalar(Self.scalar(scalar, recovery: recovery)), at: location)
        case .alias:
            return YAMLNode(.scalar(YAMLScalar("")), at: location)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for item in sequence {
                guard let converted = convert(item) else { return nil }
                items.append(converted)
            }
            return YAMLNode(.sequence(items), at: location)
        case .mapping(let mapping):
            var pairs: [YAMLPair] = []
            for (key, value) in mapping {
                guard let k = convert(key), let v = convert(value) else { return nil }
                pairs.append(YAMLPair(key: k, value: v))
            }
            reportDuplicates(pairs)
            return YAMLNode(.mapping(pairs), at: location)
        }
    }

    private mutating func reportDuplicates(_ pairs: [YAMLPair]) {
        var seen: [String: SourceLocation] = [:]
        for pair in pairs {
            guard let name = pair.key.scalar?.text else { continue }
            if let first = seen[name] {
                duplicateKeyErrors.append(
                    .error(
                        "duplicate key \(Quote.text(name)) (first at line \(first.line), column \(first.column)); "
                            + "keep only one of them", at: pair.key.location))
            } else {
                seen[name] = pair.key.location
            }
        }
    }

    private static func scalar(_ scalar: Yams.Node.Scalar, recovery: DuplicateKeyRecovery) -> YAMLScalar {
        let style: YAMLScalar.Style
        switch scalar.style {
        case .singleQuoted: style = .singleQuoted
        case .doubleQuoted: style = .doubleQuoted
        case .literal: style = .literal
        case .folded: style = .folded
        default: style = .plain
        }
        let tag = scalar.tag.rawValue
        let explicit = (tag.isEmpty || tag == "!") ? nil : tag
        return YAMLScalar(recovery.original(scalar.string), style: style, explicitTag: explicit)
    }
}
