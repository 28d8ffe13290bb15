import Foundation
import TarmacArchive
import Testing

/// The tree every writer test stores: directories, empty/small/large files, exec bits,
/// symlinks, a long name and names with spaces, quotes, `$(…)`, a newline and non-ASCII.
enum Fixture {
    enum Kind: Equatable {
        case directory
        case file([UInt8])
        case symlink(String)
    }

    struct Entry {
        var path: String
        var permissions: UInt32
        var kind: Kind
    }

    /// Odd on purpose: zip's DOS time has 2-second steps, the extended timestamp must keep this exactly.
    static let mtime: Int64 = 1_700_000_001

    static let bigFile = pseudoRandomBytes(count: 1_572_864 + 7, seed: 42)
    static let longName = "app/" + String(repeating: "n", count: 150) + ".txt"

    static let entries: [Entry] = [
        Entry(path: "app", permissions: 0o755, kind: .directory),
        Entry(path: "app/$(touch pwned).txt", permissions: 0o644, kind: .file(Array("dollar\n".utf8))),
        Entry(path: "app/big.bin", permissions: 0o644, kind: .file(bigFile)),
        Entry(path: "app/bin", permissions: 0o755, kind: .directory),
        Entry(path: "app/bin/run.sh", permissions: 0o755, kind: .file(Array("#!/bin/sh\necho hi\n".utf8))),
        Entry(path: "app/café", permissions: 0o750, kind: .directory),
        Entry(path: "app/café/日本.txt", permissions: 0o600, kind: .file(Array("こんにちは\n".utf8))),
        Entry(path: "app/empty.txt", permissions: 0o644, kind: .file([])),
        Entry(path: "app/link", permissions: 0o777, kind: .symlink("bin/run.sh")),
        Entry(path: "app/link to café", permissions: 0o777, kind: .symlink("café/日本.txt")),
        Entry(path: "app/new\nline.txt", permissions: 0o644, kind: .file(Array("newline\n".utf8))),
        Entry(path: longName, permissions: 0o644, kind: .file(Array("long\n".utf8))),
        Entry(path: "app/quote'\"s.txt", permissions: 0o644, kind: .file(Array("quotes\n".utf8))),
        Entry(path: "app/with space.txt", permissions: 0o640, kind: .file(Array("space\n".utf8))),
    ]

    /// Writes every entry; the big file goes through `writeData` in uneven chunks.
    static func write(to writer: ArchiveWriter) throws {
        for entry in entries {
            switch entry.kind {
            case .directory:
                try writer.addDirectory(path: entry.path, permissions: entry.permissions, mtime: mtime)
            case .symlink(let target):
                try writer.addSymlink(path: entry.path, target: target, mtime: mtime)
            case .file(let contents) where contents.count > 65_536:
                try writer.beginFile(
                    path: entry.path, permissions: entry.permissions, size: Int64(contents.count), mtime: mtime)
                try contents.withUnsafeBytes { all in
                    var offset = 0
                    for chunk in [1, 1000, 65_536, 4095, Int.max] where offset < all.count {
                        let end = min(all.count, offset + min(chunk, all.count - offset))
                        try writer.writeData(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                        offset = end
                    }
                }
            case .file(let contents):
                try writer.addFile(path: entry.path, permissions: entry.permissions, mtime: mtime, contents: contents)
            }
        }
    }

    /// Writes the fixture to a new archive file.
    static func writeArchive(at path: String, format: ArchiveFormat) throws {
        let writer = try ArchiveWriter(path: path, format: format)
        try write(to: writer)
        try writer.finish()
    }

    /// What a reader must return: directories read back with their trailing "/".
    static var expected: [ReadEntry] {
        entries.map { entry in
            switch entry.kind {
            case .directory:
                ReadEntry(
                    header: ArchiveEntryHeader(
                        path: entry.path + "/", type: .directory, permissions: entry.permissions, mtime: mtime),
                    data: [])
            case .symlink(let target):
                ReadEntry(
                    header: ArchiveEntryHeader(
                        path: entry.path, type: .symlink, permissions: 0o777, mtime: mtime, symlinkTarget: target),
                    data: [])
            case .file(let contents):
                ReadEntry(
                    header: ArchiveEntryHeader(
                        path: entry.path, type: .file, permissions: entry.permissions, size: Int64(contents.count),
                        mtime: mtime), data: contents)
            }
        }
    }

    /// Checks a tree unpacked by another tool: every entry with its content, mode, link target and mtime, and nothing else.
    static func verifyExtracted(at root: String) throws {
        for entry in entries {
            let path = root + "/" + entry.path
            guard let status = fileStatus(path) else {
                Issue.record("missing after extraction: \(entry.path.debugDescription)")
                continue
            }
            switch entry.kind {
            case .directory:
                #expect(status.st_mode & S_IFMT == S_IFDIR, "\(entry.path)")
                #expect(status.st_mode & 0o7777 == entry.permissions, "\(entry.path)")
            case .symlink(let target):
                #expect(status.st_mode & S_IFMT == S_IFLNK, "\(entry.path)")
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
            case .file(let contents):
                #expect(status.st_mode & S_IFMT == S_IFREG, "\(entry.path)")
                #expect(status.st_mode & 0o7777 == entry.permissions, "\(entry.path)")
                #expect(try bytes(of: path).summary == contents.summary, "\(entry.path)")
                #expect(Int64(status.st_mtim.tv_sec) == mtime, "\(entry.path)")
            }
        }
        let found = try FileManager.default.subpathsOfDirectory(atPath: root).sorted()
        #expect(found == entries.map(\.path).sorted())
    }
}
