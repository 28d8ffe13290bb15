import Crypto
import Foundation
import TarmacArchive
import TarmacCore

/// Re-writes the tar stream of `git archive` into a deterministic bundle, hashing every file
/// as it passes and appending the manifest as the last member. Blocking; memory stays at
/// one libarchive block whatever the size of the tree.
struct RevisionArchiver {
    /// The directory of the revision that becomes the bundle root ("" for the whole tree).
    var root: String
    var mtime: Int64

    /// Reads git's tar from `input` and writes the bundle's members to `writer`; returns the
    /// manifest. `ending` is asked (and may block) only after the last member: the whole-tree
    /// checks and the manifest need the revision's snapshot, read while git's tar streams.
    /// Reads what git writes after the end-of-archive blocks (the padding of its last 10 KiB
    /// record) until it closes the pipe: a pipe closed before that kills git with SIGPIPE, and
    /// its failure would fail a bundle that was complete.
    static func drain(_ input: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count > 0 || (count < 0 && errno == EINTR) { continue }
            return
        }
    }

    func run(input: Int32, writer: ArchiveWriter, ending: () throws -> ArchiveEnding) throws -> BundleManifest {
        let reader = try ArchiveReader(fileDescriptor: input)
        var files: [BundleManifest.File] = []
        var safety = EntrySafety()
        var escapes: [Diagnostic] = []
        var refused = Set<String>()
        while let header = try reader.nextEntry() {
            guard let path = bundlePath(header.path) else {
                try reader.skipData()
                continue
            }
            // A link out of the revision would make the bundle hostile wherever it is unpacked.
            if header.type == .symlink,
                let problem = safety.check(path: path, kind: .symlink(target: header.symlinkTarget ?? ""))
            {
                refused.insert(path)
                escapes.append(
                    .error(
                        "\(problem); a bundle may only link inside itself — make the link relative to a file of the revision, "
                            + "or create it in a hook script", at: SourceLocation(file: path, line: 0, column: 0)))
            }
            if let file = try copy(header, as: path, from: reader, to: writer) { files.append(file) }
        }
        Self.drain(input)
        let ending = try ending()
        escapes += wholeTreeProblems(
            files, judged: refused, hookLocations: ending.hookLocations, fileSources: ending.fileSources)
        if !escapes.isEmpty { throw BundleError.invalidRevision(escapes) }
        let result = ending.manifest(files)
        try writeManifest(result, to: writer)
        try writer.finish()
        return result
    }

    /// Once every member is known: symlink chains through the revision's own links (and the
    /// rest of `MemberRules`), hook scripts (`hookLocations`) that are not regular files inside
    /// it, and links below an AppSpec `files` source (`fileSources`) that leave it.
    func wholeTreeProblems(
        _ files: [BundleManifest.File], judged: Set<String>, hookLocations: [String], fileSources: [String]
    ) -> [Diagnostic] {
        let hint =
            "; a bundle may only link inside itself — make the link relative to a file of the revision, "
            + "or create it in a hook script"
        var found = MemberRules.problems(files, judged: judged).map {
            Diagnostic.error($0.hasPrefix("symlink") ? $0 + hint : $0)
        }
        let resolver = LinkResolver(files: files)
        for location in Set(hookLocations).sorted() {
            if let problem = MemberRules.hookLocationProblem(location, resolver) {
                found.append(
                    .error("hook script \(Quote.text(location)) \(problem); it must be a regular file of the revision"))
            }
        }
        for source in Set(fileSources).sorted() {
            found += MemberRules.mappingLinkProblems(source: source, resolver).map { .error($0 + hint) }
        }
        return found
    }

    /// The member's path below the bundle root, or nil for the root and the directories above it.
    func bundlePath(_ raw: String) -> String? {
        let path = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        if root.isEmpty { return path.isEmpty ? nil : path }
        guard path.hasPrefix(root + "/") else { return nil }
        return String(path.dropFirst(root.count + 1))
    }

    private func copy(
        _ header: ArchiveEntryHeader, as path: String, from reader: ArchiveReader, to writer: ArchiveWriter
    ) throws -> BundleManifest.File? {
        switch header.type {
        case .directory:
            try writer.addDirectory(path: path, permissions: 0o755, mtime: mtime)
            try reader.skipData()
            return BundleManifest.File(path: path, type: .directory, mode: "0755")
        case .symlink:
            let target = header.symlinkTarget ?? ""
            try writer.addSymlink(path: path, target: target, mtime: mtime)
            try reader.skipData()
            return BundleManifest.File(path: path, type: .symlink, mode: "0777", target: target)
        case .file:
            let mode: UInt32 = header.permissions & 0o111 != 0 ? 0o755 : 0o644
            try writer.beginFile(path: path, permissions: mode, size: header.size, mtime: mtime)
            var hasher = SHA256()
            try reader.readData { block in
                hasher.update(bufferPointer: block)
                try writer.writeData(block)
            }
            return BundleManifest.File(
                path: path, type: .file, mode: BundleManifest.modeString(mode), size: header.size,
                sha256: hasher.finalize().hex)
        case .hardlink, .other:
            // git archive never produces these; refuse rather than guess.
            throw BundleError.failed("git archive produced an unexpected member \(path) (\(header.type))")
        }
    }

    private func writeManifest(_ manifest: BundleManifest, to writer: ArchiveWriter) throws {
        let bytes = Array(try manifest.encodedJSON())
        try writer.addFile(path: BundleManifest.memberPath, permissions: 0o644, mtime: mtime, contents: bytes)
        let checksum = BundleManifest.checksumText(sha256: SHA256.hash(data: bytes).hex)
        try writer.addFile(
            path: BundleManifest.checksumMemberPath, permissions: 0o644, mtime: mtime, contents: Array(checksum.utf8))
    }
}

/// The JSON of the bundle's own members (manifest, delta record): sorted keys, two-space
/// indentation, a final newline, so the same value always gives the same bytes.
enum StableJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}

extension BundleManifest {
    /// Stable JSON: sorted keys, two-space indentation, a final newline.
    public func encodedJSON() throws -> Data { try StableJSON.encode(self) }

    /// Decodes a manifest member.
    public static func decode(_ bytes: [UInt8]) throws -> BundleManifest {
        try JSONDecoder().decode(BundleManifest.self, from: Data(bytes))
    }
}

extension Digest {
    /// Lower-case hex, as `sha256sum` prints it.
    /// Built byte by byte: `String(format:)` per byte cost more than the hashing it follows.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
