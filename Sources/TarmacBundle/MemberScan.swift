import Crypto
import TarmacArchive
import TarmacCore

/// Accumulates what one pass over a bundle's members reveals.
struct MemberScan {
    var budget: UnpackBudget
    var safety = EntrySafety()
    var files: [BundleManifest.File] = []
    var hostile: [String] = []
    var manifestBytes: [UInt8]?
    var checksumBytes: [UInt8]?
    var manifestProblem: String?
    /// `.tarmac/delta.json`, when the bundle is a delta, and how it was placed: members read
    /// after it, a second copy, or no checksum member before it.
    var deltaBytes: [UInt8]?
    var deltaProblems: [String] = []
    /// Small files whose name says AppSpec, near the root, kept to show and to locate.
    var appspecCandidates: [String: [UInt8]] = [:]
    /// World-writable, setuid and setgid members: not refused, but worth a look before installing.
    var warnings: [String] = []
    /// Where the revision's members are copied as a plain tar while they are read (`apply`
    /// unpacks that, so the bundle is decompressed once); `teeComplete` turns false on a
    /// member the copy cannot carry.
    var tee: ArchiveWriter?
    var teeComplete = true
    /// Where files' digests are made when their data stays in the reader's memory; nil: inline.
    var digests: BackgroundDigests?

    init(limits: UnpackLimits, bundle: String) {
        budget = UnpackBudget(limits: limits, bundle: bundle)
    }

    mutating func add(_ header: ArchiveEntryHeader, reader: ArchiveReader) throws {
        try budget.addMember(streamPosition: reader.streamPosition)
        let path = trimmed(header.path)
        if !header.namesAreUTF8 {
            hostile.append(
                "\(Quote.text(header.path)): the name (or its link target) is not valid UTF-8; hosts would create "
                    + "a different name than the one checked")
            try drain(reader)
            return
        }
        if let problem = safety.check(path: header.path, kind: kind(of: header)) {
            hostile.append(problem)
            try drain(reader)
            return
        }
        if deltaBytes != nil {
            deltaProblems.append(
                "\(Quote.text(path)) follows \(DeltaRecord.memberPath), which must be the last member of a delta bundle"
            )
        }
        noteMode(header, path: path)
        if path == DeltaRecord.memberPath {
            try addDeltaRecord(header, reader: reader)
            return
        }
        if path == BundleManifest.memberPath {
            manifestBytes = try collect(reader, limit: BundleInspector.manifestLimit)
            if manifestBytes == nil { manifestProblem = "the manifest member is larger than 64 MiB" }
            copyReserved(header, path: path, bytes: manifestBytes)
            return
        }
        if path == BundleManifest.checksumMemberPath {
            checksumBytes = try collect(reader, limit: 4096) ?? []
            copyReserved(header, path: path, bytes: checksumBytes)
            return
        }
        let reserved = BundleManifest.reservedDirectory
        let teed = path == reserved || path.hasPrefix(reserved + "/") || path.isEmpty ? nil : tee
        switch header.type {
        case .directory:
            files.append(.init(path: path, type: .directory, mode: BundleManifest.modeString(header.permissions)))
            copy(teed) { try $0.addDirectory(path: path, permissions: header.permissions, mtime: header.mtime) }
            try drain(reader)
        case .symlink:
            files.append(.init(path: path, type: .symlink, mode: "0777", target: header.symlinkTarget))
            copy(teed) { try $0.addSymlink(path: path, target: header.symlinkTarget ?? "", mtime: header.mtime) }
            try drain(reader)
        case .file:
            copy(teed) {
                try $0.beginFile(path: path, permissions: header.permissions, size: header.size, mtime: header.mtime)
            }
            try addFile(header, path: path, reader: reader, tee: tee == nil ? nil : teed)
        case .hardlink, .other:
            if teed != nil { teeComplete = false }
            // A safe in-tree hard link: listed, not hashed (its data is its target's).
            files.append(
                .init(
                    path: path, type: .file, mode: BundleManifest.modeString(header.permissions),
                    target: header.hardlinkTarget))
            try drain(reader)
        }
    }

    /// The delta record: a regular file, once, right after the manifest's checksum member.
    private mutating func addDeltaRecord(_ header: ArchiveEntryHeader, reader: ArchiveReader) throws {
        if deltaBytes != nil {
            deltaProblems.append("\(DeltaRecord.memberPath) appears more than once")
        } else if checksumBytes == nil || manifestBytes == nil {
            deltaProblems.append(
                "\(DeltaRecord.memberPath) comes before the manifest and its checksum; it must follow them")
        }
        guard header.type == .file else {
            deltaProblems.append("\(DeltaRecord.memberPath) is not a regular file")
            deltaBytes = deltaBytes ?? []
            try drain(reader)
            return
        }
        let bytes = try collect(reader, limit: 64 << 10)
        if bytes == nil { deltaProblems.append("\(DeltaRecord.memberPath) is larger than 64 KiB") }
        if deltaBytes == nil { copyReserved(header, path: DeltaRecord.memberPath, bytes: bytes) }
        deltaBytes = deltaBytes ?? bytes ?? []
    }

    /// The manifest, its checksum and the delta record go into the plain-tar copy too: the
    /// host keeps them in the revision's archive, where a later delta finds its base.
    private mutating func copyReserved(_ header: ArchiveEntryHeader, path: String, bytes: [UInt8]?) {
        guard let bytes, header.type == .file else {
            if tee != nil { teeComplete = false }
            return
        }
        copy(tee) { try $0.addFile(path: path, permissions: header.permissions, mtime: header.mtime, contents: bytes) }
    }

    private mutating func addFile(
        _ header: ArchiveEntryHeader, path: String, reader: ArchiveReader, tee: ArchiveWriter?
    ) throws {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let keep =
            RevisionSnapshot.appspecNames.contains(name) && path.split(separator: "/").count <= 2
            && header.size <= BundleInspector.appspecLimit
        // Blocks the reader holds are hashed later on the background thread; from the first
        // block it does not hold on, the file is hashed here (what was held included).
        var held: [UnsafeRawBufferPointer] = []
        var hasher: SHA256? = digests == nil ? SHA256() : nil
        var kept: [UInt8] = []
        var size: Int64 = 0
        try reader.readData { block in
            try budget.addData(block.count, streamPosition: reader.streamPosition)
            if hasher == nil, reader.isHeld(block) {
                held.append(block)
            } else {
                if hasher == nil {
                    hasher = SHA256()
                    for earlier in held { hasher?.update(bufferPointer: earlier) }
                    held = []
                }
                hasher?.update(bufferPointer: block)
            }
            copy(tee) { try $0.writeData(block) }
            size += Int64(block.count)
            if keep { kept.append(contentsOf: block) }
        }
        if keep { appspecCandidates[path] = kept }
        if hasher == nil { digests?.submit(files.count, blocks: held) }
        files.append(
            .init(
                path: path, type: .file, mode: BundleManifest.modeString(header.permissions), size: size,
                sha256: hasher?.finalize().hex))
    }

    /// Waits for the background digests and puts each in its file's entry.
    mutating func collectDigests() {
        guard let digests else { return }
        for (index, hex) in digests.wait() { files[index].sha256 = hex }
    }

    /// Writes to the plain-tar copy; a failure (a full disk) only ends the copy: the bundle
    /// itself is then what the host unpacks.
    private mutating func copy(_ writer: ArchiveWriter?, _ body: (ArchiveWriter) throws -> Void) {
        guard let writer, tee != nil else { return }
        do {
            try body(writer)
        } catch {
            teeComplete = false
            tee = nil
        }
    }

    /// Reads past a member's data, counting it: skipping a compressed member decompresses it
    /// all the same, so a bundle cannot hide its size in members that are never kept.
    private mutating func drain(_ reader: ArchiveReader) throws {
        try reader.readData { block in
            try budget.addData(block.count, streamPosition: reader.streamPosition)
        }
    }

    /// World-writable, setuid and setgid members, for `inspect` to show.
    private mutating func noteMode(_ header: ArchiveEntryHeader, path: String) {
        guard header.type == .file || header.type == .directory else { return }
        var what: [String] = []
        if header.permissions & 0o4000 != 0 { what.append("setuid") }
        if header.permissions & 0o2000 != 0 { what.append("setgid") }
        if header.permissions & 0o002 != 0 { what.append("world-writable") }
        guard !what.isEmpty else { return }
        warnings.append(
            "\(Quote.text(path)) is \(what.joined(separator: " and ")) (mode \(BundleManifest.modeString(header.permissions)))"
        )
    }

    private mutating func collect(_ reader: ArchiveReader, limit: Int) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        var tooBig = false
        try reader.readData { block in
            try budget.addData(block.count, streamPosition: reader.streamPosition)
            if bytes.count + block.count > limit { tooBig = true } else { bytes.append(contentsOf: block) }
        }
        return tooBig ? nil : bytes
    }

    private func kind(of header: ArchiveEntryHeader) -> EntrySafety.Kind {
        switch header.type {
        case .file: return .file
        case .directory: return .directory
        case .symlink: return .symlink(target: header.symlinkTarget ?? "")
        case .hardlink: return .hardlink(target: header.hardlinkTarget ?? "")
        case .other(let what): return .special(what)
        }
    }

    private func trimmed(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        while p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}
