import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

/// What a test compares of one entry of an archive: kind, permission bits, owner, bytes or
/// link target (not times); and its inode, to see whether a file is still the same one.
struct TreeNode: Equatable, CustomStringConvertible {
    var kind: Character
    var mode: UInt32
    var uid: UInt32
    var gid: UInt32
    var bytes: Data?
    var target: String?

    var description: String {
        "\(kind) \(String(mode, radix: 8)) \(uid):\(gid)" + (bytes.map { " \($0.count) bytes" } ?? "")
            + (target.map { " -> \($0)" } ?? "")
    }
}

enum TreeSnapshot {
    /// Every entry below `root` (a test-side path) by relative path; links are not followed.
    static func take(_ root: String) throws -> [String: TreeNode] {
        var nodes: [String: TreeNode] = [:]
        try walk(root, prefix: "", into: &nodes)
        return nodes
    }

    /// Inode numbers of the regular files below `root`, by relative path.
    static func inodes(_ root: String) throws -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for (path, node) in try take(root) where node.kind == "f" {
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else { continue }
            result[path] = UInt64(info.st_ino)
        }
        return result
    }

    private static func walk(_ root: String, prefix: String, into nodes: inout [String: TreeNode]) throws {
        let directory = prefix.isEmpty ? root : root + "/" + prefix
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let path = prefix.isEmpty ? name : prefix + "/" + name
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else { throw CocoaError(.fileReadUnknown) }
            let type = info.st_mode & S_IFMT
            var node = TreeNode(
                kind: type == S_IFDIR ? "d" : type == S_IFLNK ? "l" : type == S_IFREG ? "f" : "?",
                mode: UInt32(info.st_mode & 0o7777), uid: info.st_uid, gid: info.st_gid)
            switch node.kind {
            case "f": node.bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/" + path))
            case "l": node.target = try FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + path)
            case "d": try walk(root, prefix: path, into: &nodes)
            default: break
            }
            nodes[path] = node
        }
    }
}

extension ProgramRun {
    /// The reasons of `@fallback` lines.
    var fallbacks: [String] { lines.compactMap { if case .fallback(let reason) = $0 { reason } else { nil } } }
}

/// Host programs of a deployment root at `/opt/tarmac` run for delta tests.
enum DeltaRun {
    static let layout = HostLayout(root: "/opt/tarmac", groupID: "g-web")

    /// A full download of `revision` as deployment `id`, with its archive stat record.
    @discardableResult
    static func full(
        _ box: ProgramSandbox, _ fixture: DeltaFixture, _ revision: DeltaFixture.Revision, id: String,
        record: Bool = true, executables: [String] = []
    ) throws -> ProgramRun {
        let bundle = try fixture.fullBundle(revision)
        let script = DownloadProgram.render(
            layout: layout, deploymentID: id, source: .localFile(bundle.path), sha256: bundle.sha256, delete: [],
            keepBundle: false, statFiles: record ? revision.regularFiles : [], executables: executables)
        let run = try box.run(script)
        #expect(run.done == 0, "full download of \(revision.name): \(run.lines) \(run.stderr)")
        return run
    }

    /// The delta program from deployment `baseID` (holding `base`) to `target` as deployment `id`.
    static func delta(
        _ box: ProgramSandbox, _ fixture: DeltaFixture, from base: DeltaFixture.Revision, baseID: String,
        to target: DeltaFixture.Revision, id: String, bundle: DeltaFixture.Bundle? = nil, baseSHA256: String? = nil,
        delete: [String] = [], prepare: String = ":", executables: [String] = []
    ) throws -> ProgramRun {
        let script = try program(
            fixture, from: base, baseID: baseID, to: target, id: id, bundle: bundle, baseSHA256: baseSHA256,
            delete: delete, executables: executables)
        return try box.run(script, prepare: prepare)
    }

    static func program(
        _ fixture: DeltaFixture, from base: DeltaFixture.Revision, baseID: String, to target: DeltaFixture.Revision,
        id: String, bundle: DeltaFixture.Bundle? = nil, baseSHA256: String? = nil, delete: [String] = [],
        executables: [String] = []
    ) throws -> ShellScript {
        let bundle = try bundle ?? fixture.deltaBundle(from: base, to: target)
        return DeltaProgram.render(
            layout: layout, deploymentID: id, source: .localFile(bundle.path), sha256: bundle.sha256,
            base: .init(
                directory: layout.deploymentDirectory(baseID), manifestSHA256: baseSHA256 ?? base.manifestSHA256,
                files: base.manifest.files),
            target: target.manifest.files, delta: BundleDelta.between(base: base.manifest, target: target.manifest),
            delete: delete, keepBundle: false, executables: executables)
    }

    /// What a fresh `stat` of `files` in the archive of `id` says, as a record with `sha`.
    static func expectedRecord(_ box: ProgramSandbox, id: String, files: [String], sha: String) throws -> String {
        let archive = box.host(layout.archiveDirectory(id))
        let list = try TestPaths.temporaryDirectory("record-list") + "/list"
        defer { try? FileManager.default.removeItem(atPath: (list as NSString).deletingLastPathComponent) }
        try Data(files.map { "./" + $0 + "\0" }.joined().utf8).write(to: URL(fileURLWithPath: list))
        let lines = try shell(
            "cd \(ShellQuote.sh(archive)) && xargs -0 stat -c '%i %s %.9Y %.9Z %a %u %g' -- < \(ShellQuote.sh(list))")
        return "tarmac-archive-stat 1 \(sha)\n" + lines
    }

    /// The archive of deployment `id`, but the delta's own record.
    static func archive(_ box: ProgramSandbox, _ id: String) throws -> [String: TreeNode] {
        var nodes = try TreeSnapshot.take(box.host(layout.archiveDirectory(id)))
        nodes[DeltaRecord.memberPath] = nil
        return nodes
    }
}
