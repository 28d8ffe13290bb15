/// Stable deployment group ids, derived from the application and group names.
///
/// The id names directories on every host, so it must never change while the names stay:
/// `g-` followed by the 16 hex digits of the 64-bit FNV-1a hash of `application`, a NUL byte
/// and `group` (UTF-8). FNV-1a keeps the pure core free of a crypto dependency; the id only
/// has to separate the groups of one host, not resist an attacker.
public enum DeploymentGroupID {
    /// The id for `group` of `application`, e.g. `g-3f1c9a0b7d2e4f61`.
    public static func make(application: String, group: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let bytes = Array(application.utf8) + [0] + Array(group.utf8)
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "g-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
