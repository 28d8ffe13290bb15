import TarmacCore
import Testing

@Suite("ByteSize: sizes in messages and options")
struct ByteSizeTests {
    @Test(arguments: [
        ("10240", Int64(10240)), ("4G", Int64(4) << 30), ("4g", Int64(4) << 30), ("512MiB", Int64(512) << 20),
        ("1 KiB", Int64(1024)), ("2T", Int64(2) << 40), ("7b", Int64(7)),
    ])
    func parses(_ text: String, bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "0", "-1", "G", "4X", "1.5G", "99999999999T"])
    func refuses(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test func text() {
        #expect(ByteSize.text(512) == "512 B")
        #expect(ByteSize.text(1536) == "1.5 KiB")
        #expect(ByteSize.text(4 << 30) == "4.0 GiB")
    }
}
