import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

/// Wrappers that log each run of the tools the programs call, put first on the programs'
/// search path (`/usr/local/sbin`, bind-mounted inside the sandbox's mount namespace only).
struct ToolLog {
    static let tools = [
        "cp", "rm", "stat", "sha256sum", "rmdir", "find", "chmod", "tar", "cut", "cmp", "mktemp", "mv", "head", "sed",
        "tr", "wc", "mkdir", "id", "cat", "od", "date", "sort", "uniq", "xargs", "ls",
    ]
    let directory: String

    init() throws {
        directory = try TestPaths.temporaryDirectory("tool-log")
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: false)
        for tool in Self.tools {
            let real = ["/usr/bin/" + tool, "/bin/" + tool].first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let real else { continue }
            let args = tool == "chmod" ? "printf '%s\\0' \"$@\" >> \(ShellQuote.sh(directory + "/chmod.args"))\n" : ""
            let text = "#!/bin/sh\necho \(tool) >> \(ShellQuote.sh(directory + "/calls"))\n\(args)exec \(real) \"$@\"\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/bin/" + tool))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/bin/" + tool)
        }
    }

    /// The sandbox's `prepare`: the wrappers first on the search path.
    var prepare: String { "mount --bind \(ShellQuote.sh(directory + "/bin")) /usr/local/sbin" }

    /// Runs of each tool since the last `reset`.
    func counts() -> [String: Int] {
        let text = (try? String(contentsOfFile: directory + "/calls", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").reduce(into: [:]) { $0[String($1), default: 0] += 1 }
    }

    /// Every argument chmod was given.
    func chmodArguments() -> [String] {
        let text = (try? String(contentsOfFile: directory + "/chmod.args", encoding: .utf8)) ?? ""
        return text.split(separator: "\0").map(String.init)
    }

    func reset() {
        try? FileManager.default.removeItem(atPath: directory + "/calls")
        try? FileManager.default.removeItem(atPath: directory + "/chmod.args")
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite("Delta program: a one-file delta on a 2,548-file tree")
struct DeltaProgramScaleTests {
    static let layout = DeltaRun.layout

    static func tree(_ fixture: DeltaFixture, _ name: String, changed: String) throws -> DeltaFixture.Revision {
        var entries: [(String, DeltaFixture.Entry)] = [("appspec.yml", .file("version: 0.0\n"))]
        for d in 0..<49 {
            entries.append(("module-\(d)", .directory()))
            for f in 0..<52 {
                let path = "module-\(d)/source-file-\(f).php"
                entries.append((path, .file(path == "module-7/source-file-3.php" ? changed : "<?php // \(d) \(f)\n")))
            }
        }
        return try fixture.revision(name, entries)
    }

    @Test("a handful of processes and one path list per pass, whatever the tree's size", .sandboxed)
    func processes() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let log = try ToolLog()
        defer { log.remove() }
        let base = try Self.tree(fixture, "base", changed: "old\n")
        let target = try Self.tree(fixture, "target", changed: "new\n")
        #expect(base.regularFiles.count == 2_549)
        let full = try fixture.fullBundle(base)
        let download = DownloadProgram.render(
            layout: Self.layout, deploymentID: "d-1", source: .localFile(full.path), sha256: full.sha256, delete: [],
            keepBundle: false, statFiles: base.regularFiles)
        let first = try box.run(download, prepare: log.prepare)
        #expect(first.done == 0, "\(first.lines) \(first.stderr)")
        let batches = ArgumentBatches.ranges(base.regularFiles, extra: 2).count
        #expect(batches == 3, "2,549 paths of about 30 bytes: batches of 64 KiB")
        #expect(log.counts()["stat"] == batches, "one stat per batch: \(log.counts())")
        log.reset()
        let script = try DeltaRun.program(fixture, from: base, baseID: "d-1", to: target, id: "d-2")
        let run = try box.run(script, prepare: log.prepare)
        #expect(run.done == 0 && run.fallbacks.isEmpty, "\(run.lines) \(run.stderr)")
        let counts = log.counts()
        // The base check, the target's files (their kinds and the new record from one stat) and
        // the base's record again: a stat per batch each.
        #expect((counts["stat"] ?? 0) <= 3 * batches + 1, "\(counts)")
        #expect(counts["sha256sum"] == 2, "the bundle, and the one file the delta carries: \(counts)")
        // cp: the bundle's copy (a local file) and the one that links the base.
        // find: the delta's files' modes, .tarmac's, and the two walks that count the entries
        // (which set the directories' modes too).
        #expect(counts["cp"] == 2 && (counts["rm"] ?? 0) <= 8 && counts["find"] == 4, "\(counts)")
        #expect(counts.values.reduce(0, +) <= 120, "\(counts)")
        #expect(box.read(Self.layout.archiveDirectory("d-2") + "/module-7/source-file-3.php") == "new\n")
        // The program names each list once: the base's files and the target's; and a kind line
        // (`stat` %f %s) per target file.
        let pathBytes = target.regularFiles.reduce(0) { $0 + $1.utf8.count + 6 }
        let kindBytes = target.manifest.files.filter { $0.type == .file }.count * "81a4 12\n".utf8.count
        #expect(
            script.description.utf8.count < 2 * pathBytes + kindBytes + 40_000, "\(script.description.utf8.count) bytes"
        )
    }

    @Test("chmod never reaches a linked file: only what the delta brought", .sandboxed)
    func chmodOnlyNewInodes() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let log = try ToolLog()
        defer { log.remove() }
        let base = try DeltaProgramTests.base(fixture)
        let target = try DeltaProgramTests.target(fixture)
        try DeltaRun.full(box, fixture, base, id: "d-1")
        let run = try DeltaRun.delta(
            box, fixture, from: base, baseID: "d-1", to: target, id: "d-2", prepare: log.prepare)
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        let arguments = Set(log.chmodArguments())
        #expect(arguments.contains("./added"), "the delta's 6777 file lost its setuid and write bits: \(arguments)")
        #expect(arguments.contains("./loose"), "a 0777 directory of the delta: \(arguments)")
        let reused = BundleDelta.between(base: base.manifest, target: target.manifest).reused.map { "./" + $0.path }
        #expect(arguments.isDisjoint(with: reused), "\(arguments.intersection(reused))")
        #expect(reused.contains("./wide") && reused.contains("./setuid"))
    }
}
