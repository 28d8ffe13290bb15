/// A permission `pattern` or `except` glob with CodeDeploy 1.x semantics (spec §5.2).
///
/// `*` matches any run of characters, including none; every other character is literal
/// (no `?`, `[…]`, `{…}`, no escaping); matching is case-sensitive, over the whole name, and
/// never succeeds on a name containing `/`. Matching runs in time linear in the name and the
/// pattern (the 1.x matcher backtracks exponentially on adversarial patterns, CWE-1333).
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    /// The literal runs between the `*`s, as UTF-8 bytes; one run means no `*`.
    private let segments: [[UInt8]]

    /// Creates a glob from its text.
    public init(_ text: String) {
        self.text = text
        self.segments = text.utf8.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init)
    }

    public var description: String { text }

    /// True when `name` (a path relative to the permission's object) matches the whole glob.
    public func matches(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.contains(UInt8(ascii: "/")) else { return false }
        guard segments.count > 1 else { return bytes == segments[0] }
        let head = segments[0], tail = segments[segments.count - 1]
        guard bytes.count >= head.count + tail.count,
            bytes.starts(with: head), bytes.suffix(tail.count).elementsEqual(tail)
        else { return false }
        // Leftmost placement of each middle run is always safe with `*` as the only wildcard.
        var position = head.count
        let end = bytes.count - tail.count
        for segment in segments[1..<(segments.count - 1)] where !segment.isEmpty {
            guard let found = GlobPattern.find(segment, in: bytes, from: position, to: end) else { return false }
            position = found + segment.count
        }
        return true
    }

    /// The first index ≥ `start` where `needle` occurs wholly before `end` (Knuth–Morris–Pratt).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, to end: Int) -> Int? {
        let failure = failureTable(needle)
        var matched = 0
        var index = start
        while index < end {
            while matched > 0 && haystack[index] != needle[matched] { matched = failure[matched - 1] }
            if haystack[index] == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
            index += 1
        }
        return nil
    }

    /// For each prefix of `needle`, the length of its longest proper prefix that is also a suffix.
    private static func failureTable(_ needle: [UInt8]) -> [Int] {
        var table = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in needle.indices.dropFirst() {
            while length > 0 && needle[index] != needle[length] { length = table[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            table[index] = length
        }
        return table
    }
}
