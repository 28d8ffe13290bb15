import TarmacCore
import Testing

@Suite("ASCII scan")
struct ASCIIScanTests {
    @Test("finds one ASCII character in any text, substrings included")
    func scan() {
        #expect("a/b".containsASCII("/"))
        #expect(!"ab".containsASCII("/"))
        #expect("nön-äscii\nline".containsASCII("\n"))
        #expect(!"nön-äscii".containsASCII("\0"))
        #expect("a\0b".containsASCII("\0"))
        #expect("back\\slash".containsASCII("\\"))
        let path = "/srv/app/x"
        #expect(path.dropFirst(5).containsASCII("/"))
        #expect(!path.dropFirst(9).containsASCII("/"))
        // A multi-byte character is never taken for an ASCII byte.
        #expect(!"é日本".containsASCII("e"))
    }

    @Test("orders text by its UTF-8 bytes, as utf8.lexicographicallyPrecedes does")
    func byteOrder() {
        let words = [
            "", "a", "a/b", "a-b", "a.b", "ab", "B", "b", "é", "e\u{301}", "日本", "z", "a\0", "zz", "~", "Ä", "a/b/c",
        ]
        for left in words {
            for right in words {
                #expect(left.utf8Precedes(right) == left.utf8.lexicographicallyPrecedes(right.utf8), "\(left) \(right)")
            }
        }
        // Bytes, not characters: "é" precomposed (C3 A9) sorts after "e" and a combining accent.
        #expect("e\u{301}".utf8Precedes("é"))
        #expect(["b", "a/b", "a-b", "a"].sorted { $0.utf8Precedes($1) } == ["a", "a-b", "a/b", "b"])
    }

    @Test("tells a path's empty, dot, dot-dot components and NUL bytes, as a split does")
    func components() {
        let paths = [
            "", "/", "a", "a/b", "/a/b", "a/", "a//b", ".", "..", "./a", "a/.", "a/../b", "...", "a/.b", "..a/b.",
            "a/..", "/..", "é/日本", "a\0b", ".\0", "a/b/c/d/e/f",
        ]
        for path in paths {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            let scanned = PathComponents(of: path)
            #expect(scanned.hasEmpty == parts.contains(""), "\(path)")
            #expect(scanned.hasDot == parts.contains("."), "\(path)")
            #expect(scanned.hasDotDot == parts.contains(".."), "\(path)")
            #expect(scanned.hasNUL == path.containsASCII("\0"), "\(path)")
            #expect(scanned.isPlain == !(parts.contains { ["", ".", ".."].contains($0) } || path.containsASCII("\0")))
        }
    }
}
