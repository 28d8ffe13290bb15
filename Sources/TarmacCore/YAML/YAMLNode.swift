/// A YAML node that remembers where it was written, with scalars kept as raw text.
///
/// Validators read typed values out of these nodes themselves, so `mode: 0644` stays the
/// four characters `0644` and `version: "0.0"` is still known to have been quoted.
public struct YAMLNode: Sendable, Equatable {
    /// What the node holds.
    public enum Content: Sendable, Equatable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var location: SourceLocation

    /// Creates a node at a location.
    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    /// The scalar, when this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let value) = content { return value }
        return nil
    }

    /// The items, when this node is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let value) = content { return value }
        return nil
    }

    /// The key/value pairs in written order, when this node is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let value) = content { return value }
        return nil
    }

    /// True for an explicit or implied null (`key:`, `~`, `null`).
    public var isNull: Bool { scalar?.isNull ?? false }

    /// The value of the first pair whose key is the scalar `key`.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key.scalar?.text == key }?.value
    }

    /// A short name of the node's kind for messages ("a list", "a mapping", "text").
    public var kindDescription: String {
        switch content {
        case .scalar(let value): return value.isNull ? "empty" : "a value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One `key: value` pair of a mapping.
public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    /// Creates a pair.
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }

    /// The key's text (empty for a non-scalar key).
    public var name: String { key.scalar?.text ?? "" }
}

/// A scalar exactly as written: its text after YAML unquoting, and how it was written.
public struct YAMLScalar: Sendable, Equatable {
    /// The way a scalar was written in the file.
    public enum Style: String, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var text: String
    public var style: Style
    /// An explicit tag such as `tag:yaml.org,2002:str` from `!!str`, if one was written.
    public var explicitTag: String?

    /// Creates a scalar.
    public init(_ text: String, style: Style = .plain, explicitTag: String? = nil) {
        self.text = text
        self.style = style
        self.explicitTag = explicitTag
    }

    /// True when YAML would read the value as a string no matter what it looks like.
    public var isQuoted: Bool { style != .plain || explicitTag == "tag:yaml.org,2002:str" }

    /// True for a plain `~`, `null`, `Null`, `NULL` or nothing at all.
    public var isNull: Bool {
        guard !isQuoted else { return false }
        if explicitTag == "tag:yaml.org,2002:null" { return true }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// The boolean a plain `true`/`false` (any YAML capitalisation) stands for.
    public var bool: Bool? {
        guard !isQuoted else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// True for a plain scalar that YAML reads as a floating-point number (`30.7`, `1e3`).
    public var looksFractional: Bool {
        guard !isQuoted else { return false }
        let body = text.drop { $0 == "-" || $0 == "+" }
        guard body.contains(where: \.isNumber) else { return false }
        return body.allSatisfy { $0.isASCII && ($0.isNumber || "._eE+-".contains($0)) }
            && body.contains { $0 == "." || $0 == "e" || $0 == "E" }
    }
}
