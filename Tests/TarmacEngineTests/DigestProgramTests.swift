import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// The digest program on real files: odd names, batches, and a batch that cannot be read whole.
@Suite("Digest program")
struct DigestProgramTests {
    @Test func digestsEveryFileByIndexIncludingHostileNames() throws {
        let dir = try TestPaths.temporaryDirectory("digest")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names =
            ["plain", "a space", "quote'd", "$(touch pwned)", "new\nline", "back\\slash", "ünï"]
            + (0..<400).map { "f\($0)-" + String(repeating: "n", count: 200) }  // two batches
        var expected: [Int: String] = [:]
        for (index, name) in names.enumerated() {
            let path = dir + "/" + name
            try Data("content \(index)\n".utf8).write(to: URL(fileURLWithPath: path))
            expected[index] = String(try shell("sha256sum < \(ShellQuote.sh(path))").prefix(64))
        }
        let paths = names.map { dir + "/" + $0 }
        #expect(ArgumentBatches.ranges(paths).count == 2)
        let program = DigestProgram.render(paths: paths)
        let lines = try run(program)
        #expect(DigestProgram.parse(lines) == expected)
        #expect(!FileManager.default.fileExists(atPath: dir + "/pwned"))
        #expect(lines.last == .done(status: 0))
    }

    @Test func aBatchWithAnUnreadableFileIsReportedNotMisnumbered() throws {
        let dir = try TestPaths.temporaryDirectory("digest")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/there"))
        let lines = try run(DigestProgram.render(paths: [dir + "/missing", dir + "/there"]))
        #expect(DigestProgram.parse(lines).isEmpty)
        #expect(lines.contains(.fact(key: "digest-batch", value: "0 failed")))
    }

    private func run(_ program: ShellScript) throws -> [ProgramLine] {
        let directory = try TestPaths.temporaryDirectory("digest-program")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/program.sh"
        try Data(program.description.utf8).write(to: URL(fileURLWithPath: file))
        let result = try runCommand("/bin/sh", [file], check: true)
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            ProgramLine.parse($0)
        }
    }
}

enum ShellQuote {
    /// Single-quotes `text` for a test's own shell command.
    static func sh(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
