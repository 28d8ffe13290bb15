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
