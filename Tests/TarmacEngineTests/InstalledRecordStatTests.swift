import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

/// The installed record's stat facts, taken in batches (one stat per batch) on real files: they
/// must say exactly what a stat per path says, for odd names, links, directories and paths gone.
@Suite("Installed record: batched stat")
struct InstalledRecordStatTests {
    @Test(arguments: [false, true])
    func batchesSayWhatOneStatPerPathSays(someGone: Bool) throws {
        let dir = try TestPaths.temporaryDirectory("installed-stat")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let odd = ["a space", "quote'd", "$(touch pwned)", "new\nline", "back\\slash", "ünï", "dir * *"]
        var planned: [InstalledRecord.Planned] = []
        for (index, name) in (odd + (0..<450).map { "f\($0)-" + String(repeating: "n", count: 150) }).enumerated() {
            let path = dir + "/" + name
            switch index % 5 {
            case 1:
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                planned.append(.directory(path: path))
            case 2:
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "target")
                planned.append(.link(path: path, target: "target"))
            case 3 where someGone && (index > 400 || index == 8):
                // Never made: gone, in the last batch, and one among the odd names, whose halves
                // pass through the bisection's eval.
                planned.append(.file(path: path, sha256: "00"))
            default:
                try Data(repeating: UInt8(index % 251), count: index).write(to: URL(fileURLWithPath: path))
                try FileManager.default.setAttributes([.posixPermissions: 0o600 + index % 64], ofItemAtPath: path)
                planned.append(.file(path: path, sha256: "00"))
            }
        }
        // A stat that counts its calls: one per batch (names of 150 bytes make two), and for a
        // batch with a gone path, halves asked again down to 8 paths, asked one by one.
        let shim = dir + "/bin"
        try FileManager.default.createDirectory(atPath: shim, withIntermediateDirectories: false)
        try Data("#!/bin/sh\necho >> \(ShellQuote.sh(dir + "/calls"))\nexec /usr/bin/stat \"$@\"\n".utf8).write(
            to: URL(fileURLWithPath: shim + "/stat"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shim + "/stat")
        let batched = try run("PATH=\(ShellQuote.sh(shim)):$PATH\n" + InstalledRecord.statLines(planned).description)
        let calls = try String(contentsOfFile: dir + "/calls", encoding: .utf8).count
        let batches = ArgumentBatches.ranges(planned.count) { planned[$0].path.utf8.count }
        #expect(batches.count == 2, "\(batches)")
        let gone = Set(
            planned.indices.filter { !FileManager.default.fileExists(atPath: planned[$0].path) && !isLink(planned[$0]) }
        )
        func expected(_ range: Range<Int>) -> Int {
            guard range.contains(where: gone.contains) else { return 1 }
            if range.count <= 8 { return 1 + range.filter { !gone.contains($0) && !isLink(planned[$0]) }.count }
            let half = range.lowerBound + range.count / 2
            return 1 + expected(range.lowerBound..<half) + expected(half..<range.upperBound)
        }
        #expect(gone.count == (someGone ? 12 : 0))
        #expect(calls == batches.map(expected).reduce(0, +), "one stat per whole batch")
        #expect(calls < (someGone ? 80 : 3), "a gone path costs a few stats, not one per path of its batch")
        var single = InstalledRecord.statLines([]).description
        for (index, entry) in planned.enumerated() {
            single += "t_stat \(index) \(ShellQuote.sh(entry.path))\n"
        }
        let one = try run(single)
        let record = InstalledRecord.make(planned, destinations: [dir], lines: batched)
        #expect(record == InstalledRecord.make(planned, destinations: [dir], lines: one))
        #expect(record.entries.count == planned.count - (someGone ? 12 : 0), "every path but the gone ones")
        #expect(!FileManager.default.fileExists(atPath: dir + "/pwned"))
    }

    private func isLink(_ entry: InstalledRecord.Planned) -> Bool {
        if case .link = entry { true } else { false }
    }

    /// The fragment with fd 3 (the protocol) on stdout; its `@fact` lines.
    private func run(_ text: String) throws -> [ProgramLine] {
        let directory = try TestPaths.temporaryDirectory("installed-stat-program")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/program.sh"
        try Data(("exec 3>&1\n" + text).utf8).write(to: URL(fileURLWithPath: file))
        let result = try runCommand("/bin/sh", [file], check: true)
        return result.stdout.split(separator: "\n").map { ProgramLine.parse($0) }.filter {
            if case .fact = $0 { true } else { false }
        }
    }
}
