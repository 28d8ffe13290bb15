import TarmacTestSupport
import Testing

@testable import TarmacEngine

@Suite("Shell words")
struct ShellWordTests {
    /// Every value is one single-quoted word, a quote in it closed, escaped and reopened
    /// wherever it stands; `sh` reads each back as the value itself.
    @Test func aQuotedWordIsTheValueToTheShell() throws {
        let values = [
            "", "plain", "'", "''", "'a", "a'", "a'b'c", "it's $(rm -rf /) `x` \"y\" \\ end", "é'日本'", "line'\nbreak",
            String(repeating: "a'", count: 500),
        ]
        for value in values {
            let word = ShellWord.quoted(value).rendered
            #expect(word.hasPrefix("'") && word.hasSuffix("'"))
            let expected =
                "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
            #expect(word == expected, "\(value)")
        }
        let script = values.map { "printf '%s\\0' " + ShellWord.quoted($0).rendered }.joined(separator: "\n")
        let result = try runCommand("/bin/sh", ["-c", script], check: true)
        #expect(
            result.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == values
        )
    }
}
