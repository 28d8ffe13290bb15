import TarmacEngine
import Testing

/// `pattern`/`except` matching (spec §5.2), including the examples pinned by the 1.x tests.
@Suite struct GlobPatternTests {
    /// Pinned: object `test`, `pattern: prefix*` — (path, selected).
    static let pinnedPattern: [(String, Bool)] = [
        ("test/prefix", true), ("test/prefix_matches", true), ("test/prefix/does_not_match", false),
        ("testprefix/", false), ("tst/prefix", false), ("test/not_prefix", false),
    ]

    @Test(arguments: pinnedPattern)
    func pinnedPatternExamples(_ path: String, _ selected: Bool) {
        #expect(PermissionScope(object: "test", pattern: "prefix*").reaches(path) == selected)
    }

    /// Pinned: object `test`, `except: ['*ReadMe', '*.tmp']` — (path, excepted).
    static let pinnedExcept: [(String, Bool)] = [
        ("test/this.tmp", true), ("test/this_ReadMe", true), ("test/prefix/does_not_match.tmp", false),
        ("test/not_match", false),
    ]

    @Test(arguments: pinnedExcept)
    func pinnedExceptExamples(_ path: String, _ excepted: Bool) {
        let scope = PermissionScope(object: "test", except: ["*ReadMe", "*.tmp"])
        #expect(scope.reaches(path) == !excepted)
    }

    @Test func patternAndExceptTogether() {
        let scope = PermissionScope(object: "/srv/app", pattern: "prefix*", except: ["*ReadMe", "*.tmp"])
        #expect(scope.reaches("/srv/app/prefix_a"))
        #expect(!scope.reaches("/srv/app/prefix_a.tmp"))
        #expect(!scope.reaches("/srv/app/prefixReadMe"))
        #expect(!scope.reaches("/srv/app"))
        #expect(PermissionScope(object: "/", pattern: "*.conf").reaches("/app.conf"))
        #expect(PermissionScope(object: "/srv/app").reaches("/srv/app/a/b/c"))
        #expect(!PermissionScope(object: "/srv/app").reaches("/srv/application/a"))
    }

    /// (glob, name, matches).
    static let globs: [(String, String, Bool)] = [
        ("*", "", true), ("*", "anything", true), ("*", "a/b", false), ("", "", true), ("", "a", false),
        ("exact", "exact", true), ("exact", "exactly", false), ("Exact", "exact", false),
        ("a*b*c", "abc", true), ("a*b*c", "aXbYc", true), ("a*b*c", "acb", false),
        ("ab*ba", "aba", false), ("ab*ba", "abba", true), ("a*a*a", "aaa", true), ("a*a*a", "aa", false),
        ("*.tmp", "x.tmp", true), ("*.tmp", "x.tmpx", false), ("*.tmp", ".tmp", true),
        ("a?c", "abc", false), ("a?c", "a?c", true), ("[ab]", "a", false), ("[ab]", "[ab]", true),
        ("{a,b}", "a", false), ("\\*", "\\x", true), ("**", "a", true), ("**", "a/b", false),
        ("ü*", "über", true), ("*日本", "ファイル日本", true), ("a*/b", "a/b", false),
        ("*aab", "aaab", true), ("*abab*", "aabab", true), ("*abcabd", "abcabcabd", true),
    ]

    @Test(arguments: globs)
    func simpleGlob(_ glob: String, _ name: String, _ matches: Bool) {
        #expect(GlobPattern(glob).matches(name) == matches)
    }

    /// What these patterns give; how long they take is measured by `make bench` (its glob
    /// section, against the pattern `*` in the same run), not asserted here.
    @Test func adversarialPatterns() {
        let long = String(repeating: "a", count: 200_000)
        let stars = String(repeating: "*", count: 30) + "b"
        let manyRuns = String(repeating: "*a", count: 30) + "*b"
        #expect(!GlobPattern(stars).matches(long))
        #expect(!GlobPattern(manyRuns).matches(long))
        #expect(GlobPattern(manyRuns).matches(long + "b"))
        #expect(!GlobPattern(String(repeating: "a*", count: 30)).matches(String(repeating: "ab", count: 14)))
    }

    /// Every pattern over {a, b, *} up to 5 characters against every name over {a, b} up to 6.
    @Test func agreesWithAReferenceMatcherExhaustively() {
        let patterns = Self.words(over: ["a", "b", "*"], upTo: 5)
        let names = Self.words(over: ["a", "b"], upTo: 6)
        var mismatches: [String] = []
        for pattern in patterns {
            let glob = GlobPattern(pattern)
            for name in names where glob.matches(name) != Self.reference(Array(pattern), Array(name)) {
                mismatches.append("\(pattern) ~ \(name)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    static func words(over alphabet: [String], upTo length: Int) -> [String] {
        var all = [""]
        var layer = [""]
        for _ in 0..<length {
            layer = layer.flatMap { word in alphabet.map { word + $0 } }
            all += layer
        }
        return all
    }

    /// Dynamic programming over (pattern prefix, name prefix): obviously right, quadratic.
    static func reference(_ pattern: [Character], _ name: [Character]) -> Bool {
        var row = [Bool](repeating: false, count: name.count + 1)
        row[0] = true
        for p in pattern {
            var next = [Bool](repeating: false, count: name.count + 1)
            for j in 0...name.count {
                if p == "*" {
                    next[j] = row[j] || (j > 0 && next[j - 1])
                } else {
                    next[j] = j > 0 && row[j - 1] && name[j - 1] == p
                }
            }
            row = next
        }
        return row[name.count]
    }
}
