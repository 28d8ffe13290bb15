import TarmacCore
import Testing

@Suite("VisibleText")
struct VisibleTextTests {
    @Test(arguments: [
        ("plain text, tabs\tand ünïcödé", "plain text, tabs\tand ünïcödé"),
        ("\u{1B}]0;title\u{07}", #"\e]0;title\x07"#),
        ("\u{1B}[2J\u{1B}[1A\r✓ done", #"\e[2J\e[1A\r✓ done"#),
        ("nul\u{0} del\u{7F} bs\u{8}", #"nul\x00 del\x7f bs\x08"#),
        ("c1 \u{9B}31m csi", #"c1 \u{009b}31m csi"#),
        ("bidi \u{202E}txt.exe", #"bidi \u{202e}txt.exe"#),
        ("two\nlines", "two\nlines"),
    ])
    func escapes(_ input: String, _ expected: String) {
        #expect(VisibleText.escape(input) == expected)
    }

    @Test func newlinesBecomeTextWhenAskedSoOneLineStaysOneLine() {
        #expect(VisibleText.escape("a\nb", keepingNewlines: false) == #"a\nb"#)
    }
}
