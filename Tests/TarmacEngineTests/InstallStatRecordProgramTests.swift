import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

/// The record Install's program writes (`InstallStatRecord`), on real files with real `sh`:
/// a line per file it placed, equal to what `stat` says of it afterwards, and none for files
/// reached through a directory someone else could write.
@Suite("Install stat record: Install's program", .serialized)
struct InstallStatRecordProgramTests {
    static let layout = HostLayout(root: "/opt/tarmac", groupID: "g-web")
    static let digests = ["a.txt": String(repeating: "a1", count: 32), "lib/b.txt": String(repeating: "b2", count: 32)]

    static func plan(removals: [String] = []) -> InstallPlan {
        InstallPlan(
            removals: removals,
            steps: [
                .makeDirectory(path: "/opt/app"), .makeDirectory(path: "/opt/app/lib"),
                InstallProgramTests.copy("a.txt", "/opt/app/a.txt"),
                InstallProgramTests.copy("lib/b.txt", "/opt/app/lib/b.txt", mode: 0o600),
            ])
    }

    static let entries = [
        InstallStatRecord.Entry(path: "/opt/app/a.txt", sha256: digests["a.txt"]!),
        InstallStatRecord.Entry(path: "/opt/app/lib/b.txt", sha256: digests["lib/b.txt"]!),
    ]

    static func run(_ box: ProgramSandbox, _ plan: InstallPlan) throws -> [String] {
        try InstallProgramTests.archive(box, "d-1", ["a.txt": "a\n", "lib/b.txt": "b\n"])
        let run = try box.run(
            InstallProgram.render(plan: plan, layout: layout, deploymentID: "d-1", recorded: entries))
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        let text = box.read(layout.installStatFile) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    @Test("a line per placed file, equal to its stat afterwards, and the fence after them", .sandboxed)
    func linesEqualStat() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let lines = try Self.run(box, Self.plan())
        let stats = try shell(
            "stat -c '\(PathStat.format)' -- \(ShellQuote.sh(box.host("/opt/app/a.txt"))) "
                + ShellQuote.sh(box.host("/opt/app/lib/b.txt"))
        ).split(separator: "\n").map(String.init)
        #expect(
            lines.dropLast() == [
                InstallStatRecord.header, "\(Self.digests["a.txt"]!) \(stats[0])",
                "\(Self.digests["lib/b.txt"]!) \(stats[1])",
            ])
        let record = try #require(InstallStatRecord.parse(lines))
        var facts = HostFacts()
        (facts.runnerUID, facts.runnerGID) = (0, 0)
        facts.installStat = record
        facts.stats["/opt/app/a.txt"] = PathStat(line: stats[0], hasACL: false)
        facts.stats["/opt/app/lib/b.txt"] = PathStat(line: stats[1], hasACL: false)
        #expect(
            InstallStatRecord.knownDigests(["/opt/app/a.txt", "/opt/app/lib/b.txt"], facts: facts)
                == ["/opt/app/a.txt": Self.digests["a.txt"]!, "/opt/app/lib/b.txt": Self.digests["lib/b.txt"]!])
        let mode = try shell("stat -c %a " + ShellQuote.sh(box.host(Self.layout.installStatFile)))
        #expect(mode == "600\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.host(Self.layout.instructions))
        #expect(leftovers.filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left: \(leftovers)")
    }

    /// The previous install's directory survived its removal (something else was in it) and
    /// others may write it: Install places the files in it, the record vouches for none of them.
    @Test("no line for a file below a directory others can write", .sandboxed)
    func writableDirectoryOnTheWay() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try box.write("/opt/app/foreign.txt", "not ours\n")
        _ = chmod(box.host("/opt/app"), 0o777)
        let lines = try Self.run(box, Self.plan(removals: ["/opt/app"]))
        #expect(box.read("/opt/app/a.txt") == "a\n", "installed all the same")
        #expect(lines.count == 2 && lines.first == InstallStatRecord.header && lines[1].hasPrefix("fence "), "\(lines)")
    }
}
