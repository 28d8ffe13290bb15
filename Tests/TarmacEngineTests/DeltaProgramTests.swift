import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

@Suite("Delta program: rebuilding the archive from the base")
struct DeltaProgramTests {
    typealias Entry = DeltaFixture.Entry
    static let layout = DeltaRun.layout
    static let odd = ["with space", "quote'd", "new\nline", "-dash", "back\\slash", "ütf8 $(touch pwned)", "tab\there"]

    /// A base with odd names, a directory the target drops, a link it changes, modes it changes.
    static func base(_ fixture: DeltaFixture) throws -> DeltaFixture.Revision {
        var entries: [(String, Entry)] = [
            ("appspec.yml", .file("version: 0.0\n")), ("scripts", .directory()),
            ("scripts/start.sh", .file("#!/bin/sh\necho start\n", mode: 0o755)), ("same", .file("unchanged\n")),
            ("wide", .file("0666 in both\n", mode: 0o666)), ("setuid", .file("s\n", mode: 0o4755)),
            ("empty", .file("")), ("modechange", .file("m\n")), ("gone", .file("bye\n")),
            ("old", .directory()), ("old/dir", .directory()), ("old/dir/f", .file("f\n")), ("old/link", .link("dir")),
            ("cur", .link("scripts")), ("becomes-dir", .file("x\n")), ("was-dir", .directory()),
            ("was-dir/inner", .file("in\n")), ("loose", .directory(mode: 0o700)), ("loose/kept", .file("k\n")),
        ]
        for (index, name) in odd.enumerated() { entries.append((name, .file("odd \(index)\n"))) }
        return try fixture.revision("base", entries)
    }

    static func target(
        _ fixture: DeltaFixture, name: String = "target", appspec: String = "version: 0.0\n"
    ) throws -> DeltaFixture.Revision {
        var entries: [(String, Entry)] = [
            ("appspec.yml", .file(appspec)), ("scripts", .directory()),
            ("scripts/start.sh", .file("#!/bin/sh\necho start\n", mode: 0o755)), ("same", .file("unchanged\n")),
            ("wide", .file("0666 in both\n", mode: 0o666)), ("setuid", .file("s\n", mode: 0o4755)),
            ("empty", .file("")), ("modechange", .file("m\n", mode: 0o755)), ("cur", .link("same")),
            ("becomes-dir", .directory()), ("becomes-dir/child", .file("c\n")), ("was-dir", .file("now a file\n")),
            ("loose", .directory(mode: 0o777)), ("loose/kept", .file("k\n")), ("added", .file("new\n", mode: 0o6777)),
            ("new dir", .directory()), ("new dir/x", .file("unchanged\n")),
        ]
        for (index, name) in odd.enumerated() {
            // Every other odd name changes (a newline, a backslash and a tab among them: sha256sum
            // escapes those); the rest are reused.
            entries.append((name, .file(index % 2 == 1 ? "odd \(index)\n" : "odd \(index) changed\n")))
        }
        return try fixture.revision(name, entries)
    }

    @Test(
        "the rebuilt archive equals a full unpack, byte for byte and mode for mode; the base is untouched", .sandboxed)
    func rebuild() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let (base, target) = (try Self.base(fixture), try Self.target(fixture))
        let delta = BundleDelta.between(base: base.manifest, target: target.manifest)
        #expect(delta.reused.count >= 10 && delta.sent.count >= 6 && delta.droppedDirectories.count == 3)
        #expect(Set(delta.sent.map(\.path)).isSuperset(of: ["new\nline", "back\\slash", "tab\there"]))
        try DeltaRun.full(box, fixture, base, id: "d-1")
        let baseArchive = box.host(Self.layout.archiveDirectory("d-1"))
        let (before, inodes) = (try TreeSnapshot.take(baseArchive), try TreeSnapshot.inodes(baseArchive))
        let run = try DeltaRun.delta(box, fixture, from: base, baseID: "d-1", to: target, id: "d-2")
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(run.steps == ["bundle ok", "verify ok", "base ok", "retention ok", "unpack ok"])
        #expect(run.fallbacks.isEmpty)
        #expect(box.read(Self.layout.mostRecentFile) == Self.layout.deploymentDirectory("d-2"))
        try DeltaRun.full(box, fixture, target, id: "d-3")
        let rebuilt = try DeltaRun.archive(box, "d-2")
        let full = try DeltaRun.archive(box, "d-3")
        #expect(rebuilt.keys.sorted() == full.keys.sorted())
        for (path, node) in full where rebuilt[path] != node {
            Issue.record("\(path): rebuilt \(rebuilt[path].map(\.description) ?? "missing"), full \(node)")
        }
        #expect(box.exists(Self.layout.archiveDirectory("d-2") + "/" + DeltaRecord.memberPath))
        #expect(try TreeSnapshot.take(baseArchive) == before, "the base's files keep their bytes and modes")
        #expect(try TreeSnapshot.inodes(baseArchive) == inodes, "and are the same files")
        let reusedInodes = try TreeSnapshot.inodes(box.host(Self.layout.archiveDirectory("d-2")))
        for file in delta.reused { #expect(reusedInodes[file.path] == inodes[file.path], "\(file.path) is linked") }
        #expect(!FileManager.default.fileExists(atPath: box.root + "/pwned"))
        #expect(!box.exists(Self.layout.bundleFile("d-2")))
        #expect((box.stat(Self.layout.deploymentDirectory("d-2"))?.st_mode ?? 0) & 0o7777 == 0o711)
        let names = try FileManager.default.contentsOfDirectory(
            atPath: box.host(Self.layout.deploymentDirectory("d-2")))
        #expect(names.sorted() == ["archive.stat", "deployment-archive", "logs"], "no scratch files are left")
    }

    @Test("both records are right afterwards: a delta from the base and one from the rebuilt archive work", .sandboxed)
    func records() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let (base, target) = (try Self.base(fixture), try Self.target(fixture))
        try DeltaRun.full(box, fixture, base, id: "d-1")
        let first = try DeltaRun.delta(box, fixture, from: base, baseID: "d-1", to: target, id: "d-2")
        #expect(first.done == 0, "\(first.lines) \(first.stderr)")
        let record = box.read(Self.layout.archiveStatFile("d-2"))
        let expected = try DeltaRun.expectedRecord(
            box, id: "d-2", files: target.regularFiles, sha: target.manifestSHA256)
        #expect(record == expected)
        #expect(record?.split(separator: "\n").count == target.regularFiles.count + 1)
        let info = try #require(box.stat(Self.layout.archiveStatFile("d-2")))
        #expect(info.st_uid == 0 && info.st_mode & 0o7777 == 0o600)
        let baseRecord = box.read(Self.layout.archiveStatFile("d-1"))
        #expect(
            baseRecord
                == (try DeltaRun.expectedRecord(box, id: "d-1", files: base.regularFiles, sha: base.manifestSHA256)),
            "the base's record was rewritten after linking changed its ctimes")
        // d-2 failed at a later event: the next deployment starts from d-1 again.
        let again = try DeltaRun.delta(box, fixture, from: base, baseID: "d-1", to: target, id: "d-3")
        #expect(again.done == 0 && again.fallbacks.isEmpty, "\(again.lines) \(again.stderr)")
        // d-3 succeeded: the one after starts from it.
        let third = try Self.target(fixture, name: "third", appspec: "version: 0.1\n")
        let next = try DeltaRun.delta(box, fixture, from: target, baseID: "d-3", to: third, id: "d-4")
        #expect(next.done == 0, "\(next.lines) \(next.stderr)")
        #expect(next.fallbacks.isEmpty)
        #expect(box.read(Self.layout.archiveDirectory("d-4") + "/appspec.yml") == "version: 0.1\n")
    }

    @Test(
        "a base directory others may write is not carried over: the rebuilt one gets the target's mode, the base's stays",
        .sandboxed)
    func writableBaseDirectory() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let (base, target) = (try Self.base(fixture), try Self.target(fixture))
        try DeltaRun.full(box, fixture, base, id: "d-1")
        // A hook (or anyone root) left the base's scripts/ open to all, setgid: no file changed,
        // so the base's record still holds.
        let baseScripts = Self.layout.archiveDirectory("d-1") + "/scripts"
        try shell("chmod 2777 \(ShellQuote.sh(box.host(baseScripts)))")
        let run = try DeltaRun.delta(box, fixture, from: base, baseID: "d-1", to: target, id: "d-2")
        #expect(run.done == 0 && run.fallbacks.isEmpty, "\(run.lines) \(run.stderr)")
        let rebuilt = box.stat(Self.layout.archiveDirectory("d-2") + "/scripts")
        #expect(rebuilt.map { $0.st_mode & 0o7777 } == 0o755, "the target's mode, as a full unpack gives it")
        #expect(box.stat(baseScripts).map { $0.st_mode & 0o7777 } == 0o2777, "the base's directory is not chmodded")
    }

    @Test("a chain of deltas whose retention deletes the directories the base shares files with", .sandboxed)
    func chainWithRetention() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        var revisions = [try Self.base(fixture), try Self.target(fixture)]
        for n in 2..<5 { revisions.append(try Self.target(fixture, name: "r\(n)", appspec: "version: \(n)\n")) }
        try DeltaRun.full(box, fixture, revisions[0], id: "d-0")
        for n in 1..<revisions.count {
            // Max revisions 1: every directory but the base (the last successful) goes.
            let old = (0..<n - 1).map { Self.layout.deploymentDirectory("d-\($0)") }
            let run = try DeltaRun.delta(
                box, fixture, from: revisions[n - 1], baseID: "d-\(n - 1)", to: revisions[n], id: "d-\(n)", delete: old)
            #expect(run.done == 0 && run.fallbacks.isEmpty, "delta \(n): \(run.lines) \(run.stderr)")
            #expect(old.allSatisfy { !box.exists($0) })
        }
        try DeltaRun.full(box, fixture, revisions[4], id: "d-full")
        #expect(try DeltaRun.archive(box, "d-4") == DeltaRun.archive(box, "d-full"))
    }

    @Test("retention never deletes the base, even with max revisions 1 and the base in the list", .sandboxed)
    func retention() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let (base, target) = (try Self.base(fixture), try Self.target(fixture))
        try DeltaRun.full(box, fixture, base, id: "d-0")
        try DeltaRun.full(box, fixture, base, id: "d-1")
        var facts = HostFacts()
        facts.deployments = [.init(name: "d-0", mtime: 1), .init(name: "d-1", mtime: 2)]
        facts.lastSuccessful = Self.layout.deploymentDirectory("d-1")
        let delete = Retention.directoriesToDelete(
            facts: facts, currentDeploymentID: "d-2", maxRevisions: 1, layout: Self.layout)
        #expect(delete == [Self.layout.deploymentDirectory("d-0")])
        let run = try DeltaRun.delta(
            box, fixture, from: base, baseID: "d-1", to: target, id: "d-2",
            delete: delete + [Self.layout.deploymentDirectory("d-1")])
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(!box.exists(Self.layout.deploymentDirectory("d-0")))
        #expect(box.exists(Self.layout.archiveDirectory("d-1") + "/same"))
        #expect(box.read(Self.layout.archiveDirectory("d-2") + "/same") == "unchanged\n")
    }

    @Test("GNU chmod changes the ctime even when the mode is already right (why only new inodes are chmodded)")
    func chmodChangesCtime() throws {
        let dir = try TestPaths.temporaryDirectory("chmod-ctime")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (file, probe) = (ShellQuote.sh(dir + "/f"), ShellQuote.sh(dir + "/probe"))
        // Until the file system's clock has moved on from the ctime just set (no sleep: it spins).
        let tick = "until [ \"$(touch \(probe) && stat -c %.9Z \(probe))\" != \"$(stat -c %.9Z \(file))\" ]; do :; done"
        let out = try shell(
            "printf x > \(file) && chmod 0644 \(file) && a=$(stat -c %.9Z \(file)) && \(tick) && chmod 0644 \(file) && "
                + "b=$(stat -c %.9Z \(file)) && \(tick) && chmod go-w,ug-s \(file) && c=$(stat -c %.9Z \(file)) && "
                + "echo \"$a $b $c\"")
        let times = out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(times.count == 3 && times[0] != times[1] && times[1] != times[2], "\(out)")
    }

    @Test("golden: rendered delta download")
    func golden() throws {
        let layout = HostLayout(root: "/var/lib/tarmac", groupID: "g-web")
        func file(_ path: String, _ sha: String, mode: String = "0644") -> BundleManifest.File {
            .init(path: path, type: .file, mode: mode, size: 3, sha256: String(repeating: sha, count: 32))
        }
        let base = [
            BundleManifest.File(path: "scripts", type: .directory, mode: "0755"), file("appspec.yml", "0a"),
            file("scripts/start.sh", "0b", mode: "0755"), file("it's old", "0c"),
            BundleManifest.File(path: "old", type: .directory, mode: "0755"),
        ]
        let target = [
            BundleManifest.File(path: "scripts", type: .directory, mode: "0755"), file("appspec.yml", "0a"),
            file("scripts/start.sh", "1b", mode: "0755"), file("-new\nline", "0d"),
            BundleManifest.File(path: "link", type: .symlink, mode: "0777", target: "appspec.yml"),
        ]
        let manifest = { (files: [BundleManifest.File]) in
            BundleManifest(
                application: "app", commit: "c", commitTime: 0, revision: "r", format: "tar", appspec: "appspec.yml",
                files: files)
        }
        let script = DeltaProgram.render(
            layout: layout, deploymentID: "d-20260102-1", source: .standardInput(byteCount: 10_240),
            sha256: String(repeating: "0f", count: 32),
            base: .init(
                directory: layout.deploymentDirectory("d-20260101-1"),
                manifestSHA256: String(repeating: "1e", count: 32),
                files: base),
            target: target, delta: BundleDelta.between(base: manifest(base), target: manifest(target)),
            delete: ["/var/lib/tarmac/g-web/d-20251201-1", layout.deploymentDirectory("d-20260101-1")],
            keepBundle: false,
            unpackedBytes: 4_096, executables: ["scripts/start.sh", "appspec.yml"])
        try Golden.check(script.description, "programs/delta.sh")
    }
}
