/// OpenSSH host patterns: `*` and `?` wildcards, case-insensitive, and lists with `!` negation.
enum HostPattern {
    /// Whether `name` matches one wildcard pattern (no negation, no list).
    static func matches(_ pattern: Substring, _ name: String) -> Bool {
        let pattern = Array(pattern.lowercased().utf8)
        let name = Array(name.lowercased().utf8)
        return wildcard(pattern[...], name[...])
    }

    /// Whether `name` matches a list of patterns: any negated pattern that matches vetoes the
    /// list, otherwise one positive match is enough (OpenSSH's `match_hostname`).
    static func matchesList<S: Sequence>(_ patterns: S, _ name: String) -> Bool where S.Element == Substring {
        var positive = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if matches(pattern.dropFirst(), name) { return false }
            } else if matches(pattern, name) {
                positive = true
            }
        }
        return positive
    }

    private static func wildcard(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var pattern = pattern
        var name = name
        while let head = pattern.first {
            switch head {
            case UInt8(ascii: "*"):
                let rest = pattern.dropFirst()
                if rest.isEmpty { return true }
                var tail = name
                while true {
                    if wildcard(rest, tail) { return true }
                    guard !tail.isEmpty else { return false }
                    tail = tail.dropFirst()
                }
            case UInt8(ascii: "?"):
                guard !name.isEmpty else { return false }
            default:
                guard name.first == head else { return false }
            }
            pattern = pattern.dropFirst()
            name = name.dropFirst()
        }
        return name.isEmpty
    }
}
