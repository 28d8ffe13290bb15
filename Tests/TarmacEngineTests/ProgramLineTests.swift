import Testing

@testable import TarmacEngine

@Suite("Program lines")
struct ProgramLineTests {
    /// Records are split at their first spaces by bytes: a combining mark after a space, or
    /// any other text in a value, stays in the value.
    @Test func recordsSplitAtTheirSpacesByBytes() {
        #expect(ProgramLine.parse("@fact key \u{301}value x") == .fact(key: "key", value: "\u{301}value x"))
        #expect(ProgramLine.parse("@fact kinds 0 fdl") == .fact(key: "kinds", value: "0 fdl"))
        #expect(ProgramLine.parse("@fact lonely") == .fact(key: "lonely", value: ""))
        #expect(ProgramLine.parse("@o café  au lait") == .output(stream: .stdout, text: "café  au lait"))
        #expect(ProgramLine.parse("@e ") == .output(stream: .stderr, text: ""))
        #expect(ProgramLine.parse("@step unpack ok") == .step(name: "unpack", status: "ok"))
        #expect(ProgramLine.parse("@note a b") == .note("a b"))
        #expect(ProgramLine.parse("@done 3") == .done(status: 3))
        #expect(ProgramLine.parse("@done x") == .text("@done x"))
        #expect(ProgramLine.parse("@unknown y") == .text("@unknown y"))
        #expect(ProgramLine.parse("\u{301}@fact a b") == .text("\u{301}@fact a b"))
        #expect(ProgramLine.parse("plain text") == .text("plain text"))
        #expect(ProgramLine.parse("") == .text(""))
    }
}
