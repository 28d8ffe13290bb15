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
}
