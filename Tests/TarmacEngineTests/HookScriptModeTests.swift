import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

/// DownloadBundle makes hook scripts executable before it writes the archive stat record, so
/// the hook program never chmods an archive file later (which would change the record, and in
/// a delta's archive the base's file too).
@Suite("Hook scripts made executable by DownloadBundle")
struct HookScriptModeTests {
    static let layout = DeltaRun.layout

    static func revision(_ fixture: DeltaFixture, _ name: String, extra: String) throws -> DeltaFixture.Revision {
        try fixture.revision(
            name,
            [
                ("appspec.yml", .file("version: 0.0\n\(extra)")), ("hooks", .directory()),
                ("hooks/stop.sh", .file("#!/bin/sh\necho stop\n")), ("hooks/new.sh", .file("#!/bin/sh\necho new\n")),
            ])
    }

    @Test("a full download: the hook scripts executable, noted, and in the record", .sandboxed)
    func full() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let revision = try Self.revision(fixture, "r1", extra: "")
        let run = try DeltaRun.full(
            box, fixture, revision, id: "d-1", executables: ["./hooks/stop.sh", "hooks/stop.sh", "../../escape"])
        #expect(
            run.notes == [
                "Script at specified location: hooks/stop.sh is not executable; made it executable (chmod a+x)"
            ])
        #expect((box.stat(Self.layout.archiveDirectory("d-1") + "/hooks/stop.sh")?.st_mode ?? 0) & 0o7777 == 0o755)
        #expect((box.stat(Self.layout.archiveDirectory("d-1") + "/hooks/new.sh")?.st_mode ?? 0) & 0o7777 == 0o644)
        #expect(
            box.read(Self.layout.archiveStatFile("d-1"))
                == (try DeltaRun.expectedRecord(
                    box, id: "d-1", files: revision.regularFiles, sha: revision.manifestSHA256)))
    }

    @Test("a delta: a script the base shares is made executable in a copy; the base keeps its file", .sandboxed)
    func delta() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let base = try Self.revision(fixture, "r1", extra: "")
        let target = try Self.revision(fixture, "r2", extra: "# new.sh is a hook now\n")
        try DeltaRun.full(box, fixture, base, id: "d-1", executables: ["hooks/stop.sh"])
        let baseArchive = box.host(Self.layout.archiveDirectory("d-1"))
        let (before, inodes) = (try TreeSnapshot.take(baseArchive), try TreeSnapshot.inodes(baseArchive))
        let hooks = ["hooks/stop.sh", "hooks/new.sh"]
        let run = try DeltaRun.delta(
            box, fixture, from: base, baseID: "d-1", to: target, id: "d-2", executables: hooks)
        #expect(run.done == 0 && run.fallbacks.isEmpty, "\(run.lines) \(run.stderr)")
        #expect(try TreeSnapshot.take(baseArchive) == before, "the base's new.sh is still 0644")
        #expect(try TreeSnapshot.inodes(baseArchive) == inodes)
        let rebuilt = try TreeSnapshot.inodes(box.host(Self.layout.archiveDirectory("d-2")))
        #expect(rebuilt["hooks/stop.sh"] == inodes["hooks/stop.sh"], "already executable: still linked")
        #expect(rebuilt["hooks/new.sh"] != inodes["hooks/new.sh"], "made executable in a copy")
        try DeltaRun.full(box, fixture, target, id: "d-3", executables: hooks)
        #expect(try DeltaRun.archive(box, "d-2") == DeltaRun.archive(box, "d-3"))
        #expect(
            box.read(Self.layout.archiveStatFile("d-2"))
                == (try DeltaRun.expectedRecord(box, id: "d-2", files: target.regularFiles, sha: target.manifestSHA256))
        )
        let again = try DeltaRun.delta(
            box, fixture, from: base, baseID: "d-1", to: target, id: "d-4", executables: hooks)
        #expect(again.done == 0 && again.fallbacks.isEmpty, "the base's record was rewritten: \(again.lines)")
    }
}
