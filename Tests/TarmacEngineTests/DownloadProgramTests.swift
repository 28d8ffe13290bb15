import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

@Suite("Download program")
struct DownloadProgramTests {
    static let layout = HostLayout(root: "/opt/tarmac", groupID: "g-web")

    /// A bundle made with the real tar (gzip or plain) and its sha256.
    struct Bundle {
        var path: String
        var sha256: String
        var size: Int64
        var directory: String

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func makeBundle(gzip: Bool) throws -> Bundle {
        let dir = try TestPaths.temporaryDirectory("bundle")
        try shell(
            "cd '\(dir)' && mkdir -p tree/scripts && printf 'version: 0.0\\n' > tree/appspec.yml && printf '#!/bin/sh\\n' > tree/scripts/start.sh && chmod 4755 tree/scripts/start.sh && mkdir tree/shared && printf 'x' > tree/shared/open.txt && chmod 0666 tree/shared/open.txt && chmod 2777 tree/shared && ln -s open.txt tree/shared/link"
        )
        let path = dir + (gzip ? "/bundle.tgz" : "/bundle.tar")
        try shell("cd '\(dir)/tree' && tar -c\(gzip ? "z" : "")f '\(path)' --owner=4242 --group=4242 .")
        let sum = try shell("sha256sum < '\(path)'").prefix(64)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        return Bundle(path: path, sha256: String(sum), size: Int64(size), directory: dir)
    }

    @Test("local tar.gz: verified, unpacked without owners, retention applied, bundle dropped", .sandboxed)
    func localFile() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let bundle = try Self.makeBundle(gzip: true)
        defer { bundle.remove() }
        try box.write("/opt/tarmac/g-web/d-old/deployment-archive/x", "old")
        try box.write("/opt/tarmac/g-web/d-kept/x", "kept")
        try box.write("/opt/tarmac/g-web/d-1/deployment-archive/stale", "from an earlier attempt")
        let script = DownloadProgram.render(
            layout: Self.layout, deploymentID: "d-1", source: .localFile(bundle.path),
            sha256: bundle.sha256.uppercased(),
            delete: ["/opt/tarmac/g-web/d-old", "/opt/elsewhere", "/opt/tarmac/g-web/d-1"], keepBundle: false)
        let run = try box.run(script)
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(run.steps == ["retention ok", "bundle ok", "verify ok", "unpack ok"])
        #expect(!box.exists("/opt/tarmac/g-web/d-old") && box.exists("/opt/tarmac/g-web/d-kept"))
        #expect(box.read("/opt/tarmac/g-web/d-1/deployment-archive/appspec.yml") == "version: 0.0\n")
        #expect(!box.exists("/opt/tarmac/g-web/d-1/deployment-archive/stale"))
        let start = try #require(box.stat("/opt/tarmac/g-web/d-1/deployment-archive/scripts/start.sh"))
        #expect(start.st_uid == 0 && start.st_mode & 0o7777 == 0o755, "setuid dropped in the archive")
        // Group and other write and setgid are taken off files and directories alike.
        let shared = "/opt/tarmac/g-web/d-1/deployment-archive/shared"
        #expect((box.stat(shared)?.st_mode ?? 0) & 0o7777 == 0o755)
        #expect((box.stat(shared + "/open.txt")?.st_mode ?? 0) & 0o7777 == 0o644)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: box.host(shared + "/link"))) == "open.txt")
        #expect((box.stat("/opt/tarmac/g-web/d-1/deployment-archive")?.st_mode ?? 0) & 0o7777 == 0o700)
        #expect((box.stat("/opt/tarmac/g-web/d-1")?.st_mode ?? 0) & 0o7777 == 0o711)
        #expect(!box.exists(Self.layout.bundleFile("d-1")))
        #expect(box.exists("/opt/tarmac/g-web/d-1/logs"))
        #expect(box.read(Self.layout.mostRecentFile) == Self.layout.deploymentDirectory("d-1"))
    }

    @Test("tarmac's verified copy: unpacked where it is, not hashed, not removed; copied when kept", .sandboxed)
    func verifiedFile() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let bundle = try Self.makeBundle(gzip: false)
        defer { bundle.remove() }
        for keep in [false, true] {
            let id = keep ? "d-4" : "d-3"
            let script = DownloadProgram.render(
                layout: Self.layout, deploymentID: id, source: .verifiedFile(bundle.path), sha256: "not checked",
                delete: [], keepBundle: keep)
            #expect(!script.description.contains("t_verify '"), "no digest is checked")
            let run = try box.run(script)
            #expect(run.done == 0, "\(run.lines) \(run.stderr)")
            #expect(run.steps == ["retention ok", "bundle ok", "verify ok", "unpack ok"])
            #expect(box.read("/opt/tarmac/g-web/\(id)/deployment-archive/appspec.yml") == "version: 0.0\n")
            #expect(box.exists(Self.layout.bundleFile(id)) == keep)
            #expect(FileManager.default.fileExists(atPath: bundle.path), "tarmac's copy is its own to remove")
        }
    }

    @Test("plain tar streamed on stdin, bundle kept", .sandboxed)
    func standardInput() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let bundle = try Self.makeBundle(gzip: false)
        defer { bundle.remove() }
        let script = DownloadProgram.render(
            layout: Self.layout, deploymentID: "d-2", source: .standardInput(byteCount: bundle.size),
            sha256: bundle.sha256, delete: [], keepBundle: true)
        let run = try box.run(script, stdin: bundle.path)
        #expect(run.done == 0, "\(run.stderr)")
        #expect(box.read("/opt/tarmac/g-web/d-2/deployment-archive/scripts/start.sh") == "#!/bin/sh\n")
        #expect(box.stat(Self.layout.bundleFile("d-2"))?.st_size == off_t(bundle.size))
        #expect((box.stat(Self.layout.bundleFile("d-2"))?.st_mode ?? 0) & 0o777 == 0o600)
        #expect((box.stat("/opt/tarmac/g-web/d-2/logs")?.st_mode ?? 0) & 0o777 == 0o700)
    }

    @Test("a wrong digest fails naming both digests and removes the partial bundle", .sandboxed)
    func mismatch() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let bundle = try Self.makeBundle(gzip: true)
        defer { bundle.remove() }
        let wrong = String(repeating: "ab", count: 32)
        let script = DownloadProgram.render(
            layout: Self.layout, deploymentID: "d-3", source: .localFile(bundle.path), sha256: wrong, delete: [],
            keepBundle: true)
        let run = try box.run(script)
        #expect(run.done == 1 && run.status == 1)
        #expect(run.steps.last == "verify failed")
        #expect(run.notes.contains { $0.contains(wrong) && $0.contains(bundle.sha256) })
        #expect(!box.exists(Self.layout.bundleFile("d-3")))
        #expect(!box.exists(Self.layout.archiveDirectory("d-3")))
    }

    @Test("a short stream fails", .sandboxed)
    func shortStream() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let bundle = try Self.makeBundle(gzip: true)
        defer { bundle.remove() }
        let script = DownloadProgram.render(
            layout: Self.layout, deploymentID: "d-4", source: .standardInput(byteCount: bundle.size + 10),
            sha256: bundle.sha256, delete: [], keepBundle: false)
        let run = try box.run(script, stdin: bundle.path)
        #expect(run.done == 1)
        #expect(
            run.notes.first == "the bundle stream ended early: expected \(bundle.size + 10) bytes, got \(bundle.size)")
        #expect(!box.exists(Self.layout.bundleFile("d-4")))
    }

    @Test("a full disk is reported as such", .sandboxed)
    func diskFull() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let dir = try TestPaths.temporaryDirectory("big")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try shell("head -c 2000000 /dev/urandom > '\(dir)/blob' && tar -cf '\(dir)/big.tar' -C '\(dir)' blob")
        let sum = String(try shell("sha256sum < '\(dir)/big.tar'").prefix(64))
        try FileManager.default.createDirectory(atPath: box.host("/opt/full"), withIntermediateDirectories: true)
        let layout = HostLayout(root: "/opt/full/root", groupID: "g")
        let script = DownloadProgram.render(
            layout: layout, deploymentID: "d-5", source: .localFile(dir + "/big.tar"), sha256: sum, delete: [],
            keepBundle: false)
        let run = try box.run(script, prepare: "mount -t tmpfs -o size=1m tmpfs /opt/full")
        #expect(run.done == 1)
        #expect(run.notes.first?.contains("disk is full") == true, "\(run.lines)")
    }

    @Test("a disk that fills while unpacking is named, with what unpacking needs", .sandboxed)
    func diskFullWhileUnpacking() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let dir = try TestPaths.temporaryDirectory("big")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // bundle.tar (2 MB) fits in the 3 MiB file system; unpacked beside it, it does not.
        try shell("head -c 2000000 /dev/urandom > '\(dir)/blob' && tar -cf '\(dir)/big.tar' -C '\(dir)' blob")
        let sum = String(try shell("sha256sum < '\(dir)/big.tar'").prefix(64))
        try FileManager.default.createDirectory(atPath: box.host("/opt/full"), withIntermediateDirectories: true)
        let layout = HostLayout(root: "/opt/full/root", groupID: "g")
        let script = DownloadProgram.render(
            layout: layout, deploymentID: "d-6", source: .localFile(dir + "/big.tar"), sha256: sum, delete: [],
            keepBundle: false, unpackedBytes: 2_002_944)
        let run = try box.run(script, prepare: "mount -t tmpfs -o size=3m tmpfs /opt/full")
        #expect(run.done == 1)
        #expect(run.steps.contains("unpack failed"), "\(run.lines)")
        let note = run.notes.first ?? ""
        #expect(note.contains("no space left on device"), "\(run.lines)")
        #expect(note.contains("(2002944 bytes needed)"), "\(run.lines)")
        #expect(!box.exists(layout.archiveDirectory("d-6")), "the partial unpack is removed")
    }

    @Test("golden: rendered download")
    func golden() throws {
        let layout = HostLayout(root: "/var/lib/tarmac", groupID: "g-web")
        let script = DownloadProgram.render(
            layout: layout, deploymentID: "d-20260101-1", source: .standardInput(byteCount: 10_240),
            sha256: String(repeating: "0f", count: 32), delete: ["/var/lib/tarmac/g-web/d-20251201-1"],
            keepBundle: false, statFiles: ["appspec.yml", "scripts/start.sh", "it's a \"file\"\n"],
            executables: ["./scripts/start.sh"])
        try Golden.check(script.description, "programs/download.sh")
    }
}
