import TarmacCore

/// The full ACL `setfacl --set` receives for one object (spec §5.3): the AppSpec's entries,
/// then the base entries `setfacl --set` requires, synthesised from the object's mode.
public enum PermissionACL {
    /// The entries in `setfacl` spelling for an object whose mode (after chmod) is `mode`.
    ///
    /// Added after the AppSpec entries: `user::`, `group::`, `other::` from the mode; `mask::`
    /// (the group bits) when there is a named entry and no mask; and, when there is any default
    /// entry, the missing `default:user::`, `default:group::`, `default:other::` from the mode
    /// plus `default:mask::` (the default group bits) when a default entry is named and no
    /// default mask was given.
    public static func full(_ entries: [ACLEntry], mode: UInt32) -> [String] {
        let bits = (owner: UInt8((mode >> 6) & 7), group: UInt8((mode >> 3) & 7), other: UInt8(mode & 7))
        var list = entries
        list += [
            ACLEntry(kind: .user, permissions: bits.owner),
            ACLEntry(kind: .group, permissions: bits.group),
            ACLEntry(kind: .other, permissions: bits.other),
        ]
        let access = entries.filter { !$0.isDefault }
        if access.contains(where: isNamed) && !access.contains(where: { $0.kind == .mask }) {
            list.append(ACLEntry(kind: .mask, permissions: bits.group))
        }
        let defaults = entries.filter(\.isDefault)
        guard !defaults.isEmpty else { return list.map(\.description) }
        let missing: [(ACLEntry.Kind, UInt8)] = [(.user, bits.owner), (.group, bits.group), (.other, bits.other)]
        for (kind, permissions) in missing where !defaults.contains(where: { isBase($0, kind) }) {
            list.append(ACLEntry(isDefault: true, kind: kind, permissions: permissions))
        }
        if defaults.contains(where: isNamed) && !defaults.contains(where: { $0.kind == .mask }) {
            let group = defaults.first { isBase($0, .group) }?.permissions ?? bits.group
            list.append(ACLEntry(isDefault: true, kind: .mask, permissions: group))
        }
        return list.map(\.description)
    }

    /// A named user or group entry (`user:bob:…`), as opposed to a base or mask entry.
    private static func isNamed(_ entry: ACLEntry) -> Bool {
        (entry.kind == .user || entry.kind == .group) && !entry.name.isEmpty
    }

    private static func isBase(_ entry: ACLEntry, _ kind: ACLEntry.Kind) -> Bool {
        entry.kind == kind && entry.name.isEmpty
    }
}
