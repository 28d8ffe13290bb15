/// OpenSSH's wildcard patterns (`*`, `?`) and comma-separated pattern lists with `!` negation,
/// matched as ssh-keygen matches principals and namespaces in an allowed_signers file.
enum OpenSSHPattern {
    /// What a pattern list says about a string.
    enum ListMatch: Equatable {
        /// A `!pattern` matched: the list forbids the string, whatever else matches.
        case negated
        /// A plain pattern matched and no negated one did.
        case matched
        /// Nothing in the list matched.
        case none
    }

    /// True when the whole string matches the pattern; `*` is any run of bytes, `?` any one byte.
    static func matches(_ string: String, pattern: String) -> Bool {
        matches(Array(string.utf8)[...], Array(pattern.utf8)[...])
    }

    /// Matches `string` against `list` (`a,b*,!c`): any negated match wins, then any plain match.
    static func match(_ string: String, list: String) -> ListMatch {
        var positive = false
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let negated = item.hasPrefix("!")
            let pattern = negated ? String(item.dropFirst()) : String(item)
            if matches(string, pattern: pattern) {
                if negated { return .negated }
                positive = true
            }
        }
        return positive ? .matched : .none
    }

    /// The list's plain (not negated) patterns, in order.
    static func positivePatterns(_ list: String) -> [String] {
        list.split(separator: ",").filter { !$0.hasPrefix("!") }.map(String.init)
    }

    private static func matches(_ string: ArraySlice<UInt8>, _ pattern: ArraySlice<UInt8>) -> Bool {
        // Iterative wildcard matching with one backtrack point: linear in practice, never recursive.
        var s = string.startIndex
        var p = pattern.startIndex
        var star: (pattern: Int, string: Int)?
        let asterisk = UInt8(ascii: "*")
        let question = UInt8(ascii: "?")
        while s < string.endIndex {
            if p < pattern.endIndex, pattern[p] == asterisk {
                star = (p, s)
                p += 1
            } else if p < pattern.endIndex, pattern[p] == question || pattern[p] == string[s] {
                p += 1
                s += 1
            } else if let backtrack = star {
                p = backtrack.pattern + 1
                s = backtrack.string + 1
                star = (backtrack.pattern, backtrack.string + 1)
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == asterisk { p += 1 }
        return p == pattern.endIndex
    }
}
