import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

@Suite("Delta program: a base it cannot trust falls back to the full bundle")
struct DeltaProgramFallbackTests {
    static let layout = DeltaRun.layout

    /// A sandbox with the base installed as d-1 (full download, with its record).
    struct Setup {
        var box: ProgramSandbox
        var fixture: DeltaFixture
        var base: DeltaFixture.Revision
        var target: DeltaFixture.Revision

        init() throws {
            box = try ProgramSandbox()
            fixture = try DeltaFixture()
            base = try DeltaProgramTests.base(fixture)
            target = try DeltaProgramTests.target(fixture)
            try DeltaRun.full(box, fixture, base, id: "d-1")
        }

        func remove() {
            box.remove()
            fixture.remove()
        }

        func host(_ relative: String) -> String {
            box.host(DeltaProgramFallbackTests.layout.archiveDirectory("d-1")) + "/" + relative
        }

        /// Runs the delta to d-2 and checks the fallback frame: `@fallback` one line without
        /// control characters, `@done 1`, no archive left, the base's record as it was.
        func fallback(
            bundle: DeltaFixture.Bundle? = nil, baseSHA256: String? = nil, recordKept: Bool = true,
            sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) throws -> String {
            let recordPath = box.host(DeltaProgramFallbackTests.layout.archiveStatFile("d-1"))
            let record = try? Data(contentsOf: URL(fileURLWithPath: recordPath))
            let run = try DeltaRun.delta(
                box, fixture, from: base, baseID: "d-1", to: target, id: "d-2", bundle: bundle, baseSHA256: baseSHA256)
            #expect(run.done == 1 && run.status == 1, "\(run.lines) \(run.stderr)", sourceLocation: sourceLocation)
            #expect(run.fallbacks.count == 1, "\(run.lines)", sourceLocation: sourceLocation)
            let reason = run.fallbacks.first ?? ""
            #expect(
                !reason.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, sourceLocation: sourceLocation)
            #expect(
                !box.exists(DeltaProgramFallbackTests.layout.archiveDirectory("d-2")), sourceLocation: sourceLocation)
            #expect(
                !box.exists(DeltaProgramFallbackTests.layout.archiveStatFile("d-2")), sourceLocation: sourceLocation)
            if recordKept {
                #expect(
                    (try? Data(contentsOf: URL(fileURLWithPath: recordPath))) == record,
                    "the base's record is left as it was", sourceLocation: sourceLocation)
            }
            return reason
        }
    }

    @Test("no base directory", .sandboxed)
    func noBase() throws {
        let setup = try Setup()
        defer { setup.remove() }
        try shell("rm -rf \(ShellQuote.sh(setup.box.host(Self.layout.deploymentDirectory("d-1"))))")
        let reason = try setup.fallback()
        #expect(reason.contains("base deployment directory or its deployment-archive is gone"), "\(reason)")
    }

    @Test("no record (a base an older tarmac downloaded)", .sandboxed)
    func noRecord() throws {
        let setup = try Setup()
        defer { setup.remove() }
        try DeltaRun.full(setup.box, setup.fixture, setup.base, id: "d-1", record: false)
        #expect(!setup.box.exists(Self.layout.archiveStatFile("d-1")), "a full download without files writes none")
        let reason = try setup.fallback()
        #expect(reason.contains("no archive stat record"), "\(reason)")
    }

    @Test("a base file written in place, its size and mtime restored; appended to; replaced", .sandboxed)
    func changedBaseFile() throws {
        let cases = [
            // Same size, same mtime, same inode: only the ctime tells.
            "printf X | dd of=\"$f\" bs=1 seek=0 conv=notrunc 2>/dev/null && touch -d \"@$m\" \"$f\"",
            "printf more >> \"$f\" && touch -d \"@$m\" \"$f\"",
            "cp -p \"$f\" \"$f.new\" && mv \"$f.new\" \"$f\"",
        ]
        for change in cases {
            let setup = try Setup()
            defer { setup.remove() }
            let file = setup.host("same")
            try shell("f=\(ShellQuote.sh(file)); m=$(stat -c %.9Y \"$f\"); \(change)")
            let reason = try setup.fallback()
            #expect(reason.contains("base file same changed since its archive stat record was written"), "\(reason)")
        }
    }

    @Test("a changed base file with an odd name is named on one line", .sandboxed)
    func oddName() throws {
        let setup = try Setup()
        defer { setup.remove() }
        try shell("printf more >> \(ShellQuote.sh(setup.host("new\nline")))")
        let reason = try setup.fallback()
        #expect(reason.contains("base file new?line changed"), "\(reason)")
    }

    @Test("a record of another user, writable by others, a link, or of another manifest", .sandboxed)
    func untrustedRecord() throws {
        let suffix = String(UInt32.random(in: 10_000...99_999))
        let user = "tarmacd\(suffix)"
        try shell("useradd -M -N -s /usr/sbin/nologin \(user)")
        defer { _ = try? shell("userdel \(user)") }
        let changes = [
            ("chown \(user) \"$r\"", "is not a regular file of uid 0"),
            ("chmod 0620 \"$r\"", "is not a regular file of uid 0"),
            ("chmod 0602 \"$r\"", "is not a regular file of uid 0"),
            ("mv \"$r\" \"$r.real\" && ln -s archive.stat.real \"$r\"", "is not a regular file of uid 0"),
        ]
        for (change, expected) in changes {
            let setup = try Setup()
            defer { setup.remove() }
            try shell("r=\(ShellQuote.sh(setup.box.host(Self.layout.archiveStatFile("d-1")))); \(change)")
            let reason = try setup.fallback()
            #expect(reason.contains(expected), "\(change): \(reason)")
        }
        let setup = try Setup()
        defer { setup.remove() }
        let reason = try setup.fallback(baseSHA256: String(repeating: "ab", count: 32))
        #expect(reason.contains("of another manifest than the one the delta was made from"), "\(reason)")
    }

    @Test("a file the delta carries that does not match the manifest: the base stays usable", .sandboxed)
    func sentMismatch() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let archive = setup.box.host(Self.layout.archiveDirectory("d-1"))
        let before = try TreeSnapshot.take(archive)
        let bad = try setup.fixture.deltaBundle(from: setup.base, to: setup.target, swap: ["new\nline": "tampered\n"])
        let reason = try setup.fallback(bundle: bad, recordKept: false)
        #expect(reason.contains("the delta's file new?line does not have the SHA-256 the target manifest names"))
        #expect(try TreeSnapshot.take(archive) == before)
        let run = try DeltaRun.delta(
            setup.box, setup.fixture, from: setup.base, baseID: "d-1", to: setup.target, id: "d-3")
        #expect(run.done == 0 && run.fallbacks.isEmpty, "the base's record was rewritten: \(run.lines) \(run.stderr)")
    }

    @Test("a file the base lends that is not of the size the target names: fallback, naming it", .sandboxed)
    func reusedMismatch() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let bundle = try setup.fixture.deltaBundle(from: setup.base, to: setup.target)
        let delta = BundleDelta.between(base: setup.base.manifest, target: setup.target.manifest)
        #expect(delta.reused.contains { $0.path == "same" })
        // The program is told the target's "same" is a byte longer than the base file it links.
        var target = setup.target.manifest.files
        let index = try #require(target.firstIndex { $0.path == "same" })
        target[index].size += 1
        let script = DeltaProgram.render(
            layout: Self.layout, deploymentID: "d-2", source: .localFile(bundle.path), sha256: bundle.sha256,
            base: .init(
                directory: Self.layout.deploymentDirectory("d-1"), manifestSHA256: setup.base.manifestSHA256,
                files: setup.base.manifest.files),
            target: target, delta: delta, delete: [], keepBundle: false)
        let run = try setup.box.run(script)
        #expect(run.done == 1 && run.status == 1, "\(run.lines) \(run.stderr)")
        #expect(
            run.fallbacks == [
                "the rebuilt archive's file same is not a regular file of the size and mode the target manifest names"
            ], "\(run.lines)")
        #expect(!setup.box.exists(Self.layout.archiveDirectory("d-2")))
        #expect(!setup.box.exists(Self.layout.archiveStatFile("d-2")), "no record of an archive that is not there")
        let again = try DeltaRun.delta(
            setup.box, setup.fixture, from: setup.base, baseID: "d-1", to: setup.target, id: "d-3")
        #expect(again.done == 0 && again.fallbacks.isEmpty, "the base stays usable: \(again.lines) \(again.stderr)")
    }

    @Test("files a hook left in the base's archive are never carried over", .sandboxed)
    func extras() throws {
        for planted in ["planted", "old/dir/planted"] {
            let setup = try Setup()
            defer { setup.remove() }
            try shell("printf x > \(ShellQuote.sh(setup.host(planted)))")
            let reason = try setup.fallback(recordKept: false)
            #expect(
                reason.contains("the base's deployment-archive holds entries its manifest does not list"), "\(reason)")
        }
    }

    @Test("a base directory moved away and replaced by a link to it is never entered", .sandboxed)
    func directoryLink() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let moved = try TestPaths.temporaryDirectory("moved-base-dir")
        defer { try? FileManager.default.removeItem(atPath: moved) }
        // The files below keep their inodes and ctimes: the base's record still matches.
        try shell("mv \(ShellQuote.sh(setup.host("old"))) \(ShellQuote.sh(moved + "/old"))")
        try FileManager.default.createSymbolicLink(atPath: setup.host("old"), withDestinationPath: moved + "/old")
        let reason = try setup.fallback(recordKept: false)
        #expect(reason.contains("the base's deployment-archive holds entries its manifest does not list"), "\(reason)")
        #expect(FileManager.default.fileExists(atPath: moved + "/old/dir/f"), "nothing was removed through the link")
    }

    @Test("a manifest path that leaves the archive is never used", .sandboxed)
    func escapingPath() throws {
        let setup = try Setup()
        defer { setup.remove() }
        var base = setup.base
        base.manifest.files.append(.init(path: "old/../../escape", type: .file, mode: "0644", size: 1))
        let run = try setup.box.run(
            try DeltaRun.program(setup.fixture, from: base, baseID: "d-1", to: setup.target, id: "d-2"))
        #expect(run.done == 1)
        #expect(run.fallbacks == ["a manifest names a path a delta is not applied to: old/../../escape"])
    }
}
