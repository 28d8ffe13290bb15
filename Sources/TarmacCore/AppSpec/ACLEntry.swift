/// One access-control entry from an AppSpec `acls` list, parsed per spec 1.7.
///
/// Grammar: `[d|default:][u|user|g|group|m|mask|o|other:][name:]perms`, where perms is one
/// octal digit or any run of `r`, `w`, `x`, `-`.
public struct ACLEntry: Sendable, Hashable, CustomStringConvertible {
    /// Whose permissions an entry sets.
    public enum Kind: String, Sendable, Hashable {
        case user, group, mask, other
    }

    public var isDefault: Bool
    public var kind: Kind
    /// The user or group name; empty for a base entry or for `mask`/`other`.
    public var name: String
    /// Read = 4, write = 2, execute = 1.
    public var permissions: UInt8

    /// Creates an entry.
    public init(isDefault: Bool = false, kind: Kind, name: String = "", permissions: UInt8) {
        self.isDefault = isDefault
        self.kind = kind
        self.name = name
        self.permissions = permissions & 7
    }

    /// The entry as `setfacl` takes it, e.g. `default:user:bob:rwx` or `mask::---`.
    public var description: String {
        let p = permissions
        let rwx = (p & 4 != 0 ? "r" : "-") + (p & 2 != 0 ? "w" : "-") + (p & 1 != 0 ? "x" : "-")
        return (isDefault ? "default:" : "") + "\(kind.rawValue):\(name):\(rwx)"
    }

    /// Why an ACE text was refused.
    public enum Problem: Error, Sendable, Equatable {
        /// Wrong shape: field count, a name on mask/other, an unknown prefix.
        case malformed
        /// A base user/group/other entry, which `mode` sets instead.
        case baseEntry
        case invalidCharacter(Character)
    }

    /// Parses one ACE string.
    public static func parse(_ text: String) -> Result<ACLEntry, Problem> {
        var fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...4).contains(fields.count) else { return .failure(.malformed) }
        let perms: UInt8
        switch parsePermissions(fields.removeLast()) {
        case .success(let value): perms = value
        case .failure(let problem): return .failure(problem)
        }
        var isDefault = false
        if fields.count == 3 || (fields.count == 2 && isDefaultWord(fields[0])) {
            guard isDefaultWord(fields[0]) else { return .failure(.malformed) }
            isDefault = true
            fields.removeFirst()
        }
        guard let (kind, name) = kindAndName(fields) else { return .failure(.malformed) }
        if (kind == .mask || kind == .other) && !name.isEmpty { return .failure(.malformed) }
        if !isDefault && name.isEmpty && kind != .mask { return .failure(.baseEntry) }
        return .success(ACLEntry(isDefault: isDefault, kind: kind, name: name, permissions: perms))
    }

    /// `[type, name]` or `[nameOrMaskOrOther]` → the entry's kind and name.
    private static func kindAndName(_ fields: [String]) -> (Kind, String)? {
        if fields.count == 2 {
            guard let kind = kindWord(fields[0]) else { return nil }
            return (kind, fields[1])
        }
        let word = fields[0]
        if let kind = kindWord(word), kind == .mask || kind == .other { return (kind, "") }
        return (.user, word)
    }

    private static func isDefaultWord(_ word: String) -> Bool { word == "d" || word == "default" }

    private static func kindWord(_ word: String) -> Kind? {
        switch word {
        case "u", "user": return .user
        case "g", "group": return .group
        case "m", "mask": return .mask
        case "o", "other": return .other
        default: return nil
        }
    }

    private static func parsePermissions(_ text: String) -> Result<UInt8, Problem> {
        if text.count == 1, let digit = text.first, ("0"..."7").contains(digit) {
            return .success(UInt8(String(digit))!)
        }
        guard !text.isEmpty else { return .failure(.malformed) }
        var bits: UInt8 = 0
        for character in text {
            switch character {
            case "r": bits |= 4
            case "w": bits |= 2
            case "x": bits |= 1
            case "-": break
            default: return .failure(.invalidCharacter(character))
            }
        }
        return .success(bits)
    }
}
