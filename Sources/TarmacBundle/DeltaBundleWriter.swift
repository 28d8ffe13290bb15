import Crypto
import Foundation
import TarmacArchive
import TarmacCore

/// A delta bundle on disk and what it carries.
public struct DeltaBundleOutcome: Sendable {
    public var path: String
    public var sha256: String
    /// The container format, the full bundle's own.
    public var format: ArchiveFormat
    /// The full manifest of the target revision, byte-identical to the full bundle's.
    public var target: BundleManifest
    public var record: DeltaRecord
    public var delta: BundleDelta
}

/// Writes the delta bundle of a revision from its full bundle and the manifest of the base
/// revision a host has installed (DELTA.md, "The delta bundle"): the same container and member
/// order as the full bundle, holding every directory and symlink, only the regular files
/// `BundleDelta.sent` lists, the full bundle's `.tarmac/manifest.json` and
/// `.tarmac/manifest.sha256` copied byte for byte, then `.tarmac/delta.json`.
///
/// The same full bundle and base give the same bytes. Blocking; file data is streamed.
public struct DeltaBundleWriter: Sendable {
    public init() {}

    /// Writes the delta from `base` (named by `record`) to the revision of `fullBundle` at
    /// `output`, atomically (a temporary file renamed into place). `known` is the full bundle's
    /// manifest and format when the caller read them from it already (it built or verified
    /// it): one pass over the bundle less.
    public func write(
        fullBundle: String, known: (manifest: BundleManifest, format: ArchiveFormat)? = nil, base: BundleManifest,
        record: DeltaRecord, to output: String
    ) throws -> DeltaBundleOutcome {
        let (target, format) = try known ?? Self.readManifest(fullBundle)
        let delta = BundleDelta.between(base: base, target: target)
        let directory = (output as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let temporary = parent + "/.tarmac-partial-\(UUID().uuidString)"
        do {
            let sent = Dictionary(delta.sent.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            try Self.copy(fullBundle, sent: sent, record: record, format: format, to: temporary)
            let sha256 = try FileDigest.sha256Hex(ofFileAt: temporary)
            guard rename(temporary, output) == 0 else {
                throw BundleError.failed(
                    "cannot move the delta bundle to \(output): \(String(cString: strerror(errno)))")
            }
            return DeltaBundleOutcome(
                path: output, sha256: sha256, format: format, target: target, record: record, delta: delta)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// The full bundle's manifest and container format (one pass, file data skipped).
    static func readManifest(_ path: String) throws -> (BundleManifest, ArchiveFormat) {
        let reader = try ArchiveReader(path: path)
        var manifest: [UInt8]?
        while let header = try reader.nextEntry() {
            let name = trimmed(header.path)
            if name == DeltaRecord.memberPath {
                throw BundleError.invalidInput("\(path) is a delta bundle; a delta is made from a full bundle")
            }
            guard name == BundleManifest.memberPath else {
                try reader.skipData()
                continue
            }
            var bytes: [UInt8] = []
            try reader.readData { block in
                guard bytes.count + block.count <= BundleInspector.manifestLimit else {
                    throw BundleError.invalidInput("the manifest of \(path) is larger than 64 MiB")
                }
                bytes.append(contentsOf: block)
            }
            manifest = bytes
        }
        guard let manifest else { throw BundleError.invalidInput("\(path) is not a tarmac bundle: it has no manifest") }
        let format: ArchiveFormat
        switch BundleInspector.detectedFormat(reader) {
        case "tar.gz": format = .tarGz
        case "tar.zst": format = .tarZst
        case "tar.xz": format = .tarXz
        case "tar": format = .tar
        case let other: throw BundleError.invalidInput("\(path) is a \(other) bundle; deltas are made of tar bundles")
        }
        do {
            return (try BundleManifest.decode(manifest), format)
        } catch {
            throw BundleError.invalidInput("the manifest of \(path) cannot be read: \(error)")
        }
    }

    /// Copies the members the delta keeps, checking each carried file against the manifest.
    private static func copy(
        _ path: String, sent: [String: BundleManifest.File], record: DeltaRecord, format: ArchiveFormat,
        to output: String
    ) throws {
        let reader = try ArchiveReader(path: path)
        let writer = try ArchiveWriter(path: output, format: format)
        var written = Set<String>()
        var last: Int64 = 0
        while let header = try reader.nextEntry() {
            let name = trimmed(header.path)
            last = header.mtime
            switch header.type {
            case .directory:
                try writer.addDirectory(path: name, permissions: header.permissions, mtime: header.mtime)
                try reader.skipData()
            case .symlink:
                try writer.addSymlink(path: name, target: header.symlinkTarget ?? "", mtime: header.mtime)
                try reader.skipData()
            case .file where name == BundleManifest.memberPath || name == BundleManifest.checksumMemberPath:
                try copyData(header, as: name, from: reader, to: writer, expected: nil)
            case .file where sent[name] != nil:
                try copyData(header, as: name, from: reader, to: writer, expected: sent[name])
                written.insert(name)
            case .file:
                try reader.skipData()
            case .hardlink, .other:
                throw BundleError.invalidInput("\(path): \(name) is a link or special file tarmac does not bundle")
            }
        }
        if let missing = sent.keys.sorted().first(where: { !written.contains($0) }) {
            throw BundleError.invalidInput("\(path) is damaged: \(missing) is in its manifest but not in the bundle")
        }
        try writer.addFile(
            path: DeltaRecord.memberPath, permissions: 0o644, mtime: last, contents: Array(try record.encodedJSON()))
        try writer.finish()
    }

    private static func copyData(
        _ header: ArchiveEntryHeader, as name: String, from reader: ArchiveReader, to writer: ArchiveWriter,
        expected: BundleManifest.File?
    ) throws {
        if let expected, expected.size != header.size {
            throw BundleError.invalidInput("the full bundle is damaged: \(name) differs from its manifest")
        }
        try writer.beginFile(path: name, permissions: header.permissions, size: header.size, mtime: header.mtime)
        var hasher = SHA256()
        try reader.readData { block in
            hasher.update(bufferPointer: block)
            try writer.writeData(block)
        }
        if let expected, hasher.finalize().hex != expected.sha256 {
            throw BundleError.invalidInput("the full bundle is damaged: \(name) differs from its manifest")
        }
    }

    static func trimmed(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        while p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}

extension DeltaRecord {
    /// Stable JSON: sorted keys, two-space indentation, a final newline.
    public func encodedJSON() throws -> Data { try StableJSON.encode(self) }

    /// Decodes a `.tarmac/delta.json` member.
    public static func decode(_ bytes: [UInt8]) throws -> DeltaRecord {
        try JSONDecoder().decode(DeltaRecord.self, from: Data(bytes))
    }
}
