extension StringProtocol {
    /// Whether the text holds `character` (ASCII), by a scan of its UTF-8. With Foundation
    /// imported, `contains("x")` is NSString's search, far slower on the paths tarmac checks
    /// by the thousand.
    public func containsASCII(_ character: Unicode.Scalar) -> Bool {
        precondition(character.isASCII, "containsASCII looks for one ASCII character")
        return utf8.contains(UInt8(character.value))
    }
}

extension String {
    /// Whether this string's UTF-8 bytes sort before `other`'s (byte order, as `sort` orders
    /// in the C locale), compared in place: `utf8.lexicographicallyPrecedes` walks a generic
    /// view, several times slower when thousands of paths are sorted.
    public func utf8Precedes(_ other: String) -> Bool {
        var left = self
        var right = other
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let count = Swift.min(a.count, b.count)
                var index = 0
                while index < count {
                    if a[index] != b[index] { return a[index] < b[index] }
                    index += 1
                }
                return a.count < b.count
            }
        }
    }
}

/// What the `/`-separated components of a path hold, by one scan of its UTF-8 bytes (a
/// `split` allocates a substring for each component, which costs when thousands of paths are
/// checked for every host).
public struct PathComponents: Equatable, Sendable {
    /// A leading, trailing or doubled `/` (an empty component); "" has one too.
    public var hasEmpty = false
    /// A `.` component.
    public var hasDot = false
    /// A `..` component.
    public var hasDotDot = false
    /// A NUL byte anywhere.
    public var hasNUL = false

    /// None of these: relative, each component a name.
    public var isPlain: Bool { !hasEmpty && !hasDot && !hasDotDot && !hasNUL }

    public init(of path: String) {
        var path = path
        self = path.withUTF8 { Self(bytes: $0) }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var start = 0
        for index in 0...bytes.count {
            guard index == bytes.count || bytes[index] == slash else {
                if bytes[index] == 0 { hasNUL = true }
                continue
            }
            switch index - start {
            case 0: hasEmpty = true
            case 1 where bytes[start] == dot: hasDot = true
            case 2 where bytes[start] == dot && bytes[start + 1] == dot: hasDotDot = true
            default: break
            }
            start = index + 1
        }
    }
}
