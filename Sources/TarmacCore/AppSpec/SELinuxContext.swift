/// An SELinux label from an AppSpec `context` entry: type, optional user and MLS range.
public struct SELinuxContext: Sendable, Hashable {
    /// The SELinux user (`name:`, or its documented alias `user:`).
    public var user: String?
    public var type: String
    public var range: SELinuxRange?

    /// Creates a context.
    public init(user: String? = nil, type: String, range: SELinuxRange? = nil) {
        self.user = user
        self.type = type
        self.range = range
    }
}

/// An MLS range `s<N>[-s<M>][:c<a>[.c<b>](,…)*]`, validated and kept in canonical form.
public struct SELinuxRange: Sendable, Hashable, CustomStringConvertible {
    public var low: Int
    public var high: Int
    /// The categories after expanding `cA.cB` runs, sorted.
    public var categories: [Int]

    /// The largest category number SELinux accepts.
    public static let maximumCategory = 1023

    /// Why a range text was refused; the string names the offending part.
    public enum Problem: Error, Sendable, Equatable {
        case emptyPart(String)
        case invalidSensitivity(String)
        case sensitivityOrder(String)
        case invalidCategory(String)
        case categoryOrder(String)
        case duplicateCategory(Int)
    }

    /// Parses and checks a range such as `s0-s3:c0.c5,c9`.
    public static func parse(_ text: String) -> Result<SELinuxRange, Problem> {
        let halves = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let levels = halves[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard levels.count <= 2 else { return .failure(.emptyPart(halves[0])) }
        var numbers: [Int] = []
        for level in levels {
            guard !level.isEmpty else { return .failure(.emptyPart(halves[0])) }
            guard let value = number(level, prefix: "s") else { return .failure(.invalidSensitivity(level)) }
            numbers.append(value)
        }
        let low = numbers[0], high = numbers.last!
        guard high >= low else { return .failure(.sensitivityOrder(halves[0])) }
        guard halves.count == 2 else { return .success(SELinuxRange(low: low, high: high, categories: [])) }
        return parseCategories(halves[1]).map { SELinuxRange(low: low, high: high, categories: $0) }
    }

    private static func parseCategories(_ text: String) -> Result<[Int], Problem> {
        var seen = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let ends = part.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard ends.count <= 2, !ends.contains(where: \.isEmpty) else { return .failure(.emptyPart(part)) }
            var values: [Int] = []
            for end in ends {
                guard let value = number(end, prefix: "c"), value <= maximumCategory else {
                    return .failure(.invalidCategory(end))
                }
                values.append(value)
            }
            guard values.last! >= values[0] else { return .failure(.categoryOrder(part)) }
            for value in values[0]...values.last! {
                guard seen.insert(value).inserted else { return .failure(.duplicateCategory(value)) }
            }
        }
        return .success(seen.sorted())
    }

    private static func number(_ text: String, prefix: Character) -> Int? {
        guard text.first == prefix else { return nil }
        let digits = text.dropFirst()
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return Int(digits)
    }

    /// Canonical text: `s3-s7:c5,c8.c10,c17` (runs of three or more compressed, as the kernel prints).
    public var description: String {
        var text = low == high ? "s\(low)" : "s\(low)-s\(high)"
        guard !categories.isEmpty else { return text }
        var parts: [String] = []
        var start = categories[0], previous = categories[0]
        for value in categories.dropFirst() + [Int.min] {
            if value == previous + 1 { previous = value; continue }
            switch previous - start {
            case 0: parts.append("c\(start)")
            case 1: parts += ["c\(start)", "c\(previous)"]
            default: parts.append("c\(start).c\(previous)")
            }
            start = value
            previous = value
        }
        text += ":" + parts.joined(separator: ",")
        return text
    }
}
