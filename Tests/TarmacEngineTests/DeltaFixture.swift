import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport

/// Test revisions made into bundles with the real GNU tar: a full bundle (every member, then
/// `.tarmac/manifest.json` and `.tarmac/manifest.sha256`) and a delta bundle from a base
/// (directories, links, the files `BundleDelta` sends, the manifest members, `.tarmac/delta.json`).
struct DeltaFixture {
    enum Entry {
        case file(String, mode: UInt32 = 0o644)
        case directory(mode: UInt32 = 0o755)
        case link(String)
    }

    /// A revision staged on disk with its manifest.
    struct Revision {
        var name: String
        var tree: String
        var manifest: BundleManifest
        var manifestBytes: Data
        var manifestSHA256: String
        var regularFiles: [String] { manifest.files.filter { $0.type == .file }.map(\.path) }
    }

    /// A bundle file and the SHA-256 of its bytes.
    struct Bundle {
        var path: String
        var sha256: String
    }

    let directory: String

    init() throws {
        directory = try TestPaths.temporaryDirectory("delta-fixture")
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Stages `entries` (parents before children) and builds their manifest.
    func revision(_ name: String, _ entries: [(String, Entry)]) throws -> Revision {
        let tree = directory + "/" + name
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
        var files: [BundleManifest.File] = []
        for (path, entry) in entries {
            let full = tree + "/" + path
            switch entry {
            case .file(let text, let mode):
                try Self.write(text, to: full, mode: mode)
                files.append(.init(path: path, type: .file, mode: Self.octal(mode), size: Int64(text.utf8.count)))
            case .directory(let mode):
                guard mkdir(full, 0o700) == 0, chmod(full, mode_t(mode)) == 0 else {
                    throw CocoaError(.fileWriteUnknown)
                }
                files.append(.init(path: path, type: .directory, mode: Self.octal(mode)))
            case .link(let target):
                try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
                files.append(.init(path: path, type: .symlink, mode: "0777", target: target))
            }
        }
        let sums = try digests(files.filter { $0.type == .file }.map(\.path), in: tree)
        var next = sums.makeIterator()
        for index in files.indices where files[index].type == .file { files[index].sha256 = next.next() }
        let manifest = BundleManifest(
            application: "app", commit: String(repeating: "c", count: 40), commitTime: 1_700_000_000, revision: name,
            format: "tar", appspec: "appspec.yml", files: files)
        return try stage(manifest, tree: tree, name: name)
    }

    /// Writes the manifest members into the tree's `.tarmac/`.
    private func stage(_ manifest: BundleManifest, tree: String, name: String) throws -> Revision {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var bytes = try encoder.encode(manifest)
        bytes.append(0x0A)
        try FileManager.default.createDirectory(atPath: tree + "/.tarmac", withIntermediateDirectories: false)
        try bytes.write(to: URL(fileURLWithPath: tree + "/.tarmac/manifest.json"))
        let sha = String(try shell("sha256sum < \(ShellQuote.sh(tree + "/.tarmac/manifest.json"))").prefix(64))
        try Data(BundleManifest.checksumText(sha256: sha).utf8).write(
            to: URL(fileURLWithPath: tree + "/.tarmac/manifest.sha256"))
        return Revision(name: name, tree: tree, manifest: manifest, manifestBytes: bytes, manifestSHA256: sha)
    }

    /// The full bundle of a revision (plain tar).
    func fullBundle(_ revision: Revision) throws -> Bundle {
        let members =
            revision.manifest.files.map(\.path) + [BundleManifest.memberPath, BundleManifest.checksumMemberPath]
        return try tar(members, from: revision.tree, to: directory + "/\(revision.name)-full.tar")
    }

    /// The delta bundle that turns `base` into `target`; `swap` replaces sent files' bytes in
    /// the bundle (not in the manifest): a delta whose content does not match its manifest.
    func deltaBundle(from base: Revision, to target: Revision, swap: [String: String] = [:]) throws -> Bundle {
        let delta = BundleDelta.between(base: base.manifest, target: target.manifest)
        let sent = Set(delta.sent.map(\.path))
        let record = DeltaRecord(
            baseRevision: base.name, baseCommit: base.manifest.commit, baseCommitTime: base.manifest.commitTime,
            baseManifestSHA256: base.manifestSHA256)
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: target.tree + "/" + DeltaRecord.memberPath))
        var originals: [String: Data] = [:]
        for (path, text) in swap {
            let url = URL(fileURLWithPath: target.tree + "/" + path)
            originals[path] = try Data(contentsOf: url)
            try Data(text.utf8).write(to: url)
        }
        defer {
            for (path, bytes) in originals { try? bytes.write(to: URL(fileURLWithPath: target.tree + "/" + path)) }
        }
        let members =
            target.manifest.files.filter { $0.type != .file || sent.contains($0.path) }.map(\.path)
            + [BundleManifest.memberPath, BundleManifest.checksumMemberPath, DeltaRecord.memberPath]
        let bundle = try tar(members, from: target.tree, to: directory + "/\(base.name)-\(target.name)-delta.tar")
        try FileManager.default.removeItem(atPath: target.tree + "/" + DeltaRecord.memberPath)
        return bundle
    }

    private func tar(_ members: [String], from tree: String, to path: String) throws -> Bundle {
        let list = path + ".list"
        try Data(members.map { $0 + "\0" }.joined().utf8).write(to: URL(fileURLWithPath: list))
        try shell(
            "tar -c -f \(ShellQuote.sh(path)) -C \(ShellQuote.sh(tree)) --format=gnu --owner=4242 --group=4242 "
                + "--numeric-owner --mtime=@1700000000 --no-recursion --null -T \(ShellQuote.sh(list))")
        let sum = String(try shell("sha256sum < \(ShellQuote.sh(path))").prefix(64))
        return Bundle(path: path, sha256: sum)
    }

    /// SHA-256 of each path (relative to `tree`), in order: one `sha256sum` per batch; an odd
    /// name's line starts with a backslash, which is dropped.
    private func digests(_ paths: [String], in tree: String) throws -> [String] {
        guard !paths.isEmpty else { return [] }
        let list = tree + ".sums"
        try Data(paths.map { "./" + $0 + "\0" }.joined().utf8).write(to: URL(fileURLWithPath: list))
        defer { try? FileManager.default.removeItem(atPath: list) }
        let out = try shell("cd \(ShellQuote.sh(tree)) && xargs -0 sha256sum -- < \(ShellQuote.sh(list))")
        let sums = out.split(separator: "\n").map { String($0.drop { $0 == "\\" }.prefix(64)) }
        precondition(sums.count == paths.count, "one digest per path")
        return sums
    }

    /// Writes a file with plain POSIX calls (Foundation's `Data.write` costs milliseconds a file).
    static func write(_ text: String, to path: String, mode: UInt32) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count,
            fchmod(fd, mode_t(mode)) == 0
        else { throw CocoaError(.fileWriteUnknown) }
    }

    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
