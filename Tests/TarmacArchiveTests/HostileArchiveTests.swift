import Foundation
import TarmacArchive
import Testing

extension ArchiveTests {
    /// Hostile members come back as plain headers (the safety rules live in TarmacCore),
    /// and reading them writes nothing anywhere.
    @Suite struct HostileArchiveTests {
        static let script = """
            import io, sys, tarfile
            fmt = {'gnu': tarfile.GNU_FORMAT, 'pax': tarfile.PAX_FORMAT}[sys.argv[2]]
            with tarfile.open(sys.argv[1], 'w:gz', format=fmt, encoding='utf-8', errors='surrogateescape') as t:
                def add(name, kind=tarfile.REGTYPE, data=b'', link='', mode=0o644, dev=(0, 0)):
                    info = tarfile.TarInfo(name)
                    info.type, info.mode, info.linkname, info.mtime = kind, mode, link, 1234567890
                    info.devmajor, info.devminor = dev
                    info.size = len(data) if kind == tarfile.REGTYPE else 0
                    t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
                add('../escape.txt', data=b'escape')
                add('a/../../escape2.txt', data=b'escape2')
                add('/tmp/tarmac-hostile-absolute.txt', data=b'absolute')
                add('lnk', tarfile.SYMTYPE, link='/etc', mode=0o777)
                add('lnk/pwned.txt', data=b'pwned')
                add('up', tarfile.SYMTYPE, link='../../outside', mode=0o777)
                add('hl', tarfile.LNKTYPE, link='/etc/passwd')
                add('dev/null2', tarfile.CHRTYPE, mode=0o666, dev=(1, 3))
                add('dev/disk', tarfile.BLKTYPE, mode=0o660, dev=(8, 1))
                add('fifo', tarfile.FIFOTYPE)
                add('setuid', data=b'#!/bin/sh\\n', mode=0o4755)
                add('bad-\\udcff-name.txt', data=b'not utf-8')
            """

        @Test(arguments: ["gnu", "pax"])
        func hostileMembersAreReportedNotWritten(format: String) throws {
            let dir = try TempDirectory()
            let path = dir.file("hostile.tar.gz")
            try python(Self.script, [path, format])
            let before = try FileManager.default.contentsOfDirectory(atPath: dir.path)

            let entries = try readAll(try ArchiveReader(path: path))
            let headers = entries.map(\.header)
            #expect(headers.count == 12)
            guard headers.count == 12 else { return }
            #expect(
                headers[0]
                    == ArchiveEntryHeader(
                        path: "../escape.txt", type: .file, permissions: 0o644, size: 6, mtime: 1_234_567_890))
            #expect(entries[0].data == Array("escape".utf8))
            #expect(headers[1].path == "a/../../escape2.txt")
            #expect(headers[2].path == "/tmp/tarmac-hostile-absolute.txt")
            #expect(headers[3].type == .symlink && headers[3].symlinkTarget == "/etc")
            #expect(headers[4].path == "lnk/pwned.txt" && headers[4].type == .file)
            #expect(headers[5].symlinkTarget == "../../outside")
            #expect(headers[6].type == .hardlink && headers[6].hardlinkTarget == "/etc/passwd")
            #expect(headers[6].symlinkTarget == nil)
            #expect(headers[7].type == .other("character device") && headers[7].path == "dev/null2")
            #expect(headers[8].type == .other("block device"))
            #expect(headers[9].type == .other("fifo"))
            #expect(headers[10].permissions == 0o4755)
            // Not UTF-8: must not crash; the valid parts survive, the bad byte becomes U+FFFD.
            #expect(headers[11].path == "bad-\u{FFFD}-name.txt")
            #expect(entries[11].data == Array("not utf-8".utf8))
            // …and says so, so that callers can refuse a name the host would create differently.
            #expect(!headers[11].namesAreUTF8)
            #expect(headers.dropLast().allSatisfy { $0.namesAreUTF8 })

            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == before)
            #expect(fileStatus("/tmp/tarmac-hostile-absolute.txt") == nil)
            #expect(fileStatus("/etc/pwned.txt") == nil)
            #expect(fileStatus((dir.path as NSString).deletingLastPathComponent + "/escape.txt") == nil)
        }

        /// The stream position counts decompressed bytes, whatever the file's size: 8 MiB of
        /// zeros are a few KiB of gzip, and the position passes 8 MiB once they are read.
        @Test func theStreamPositionCountsDecompressedBytes() throws {
            let dir = try TempDirectory()
            let path = dir.file("zeros.tar.gz")
            let script = """
                import io, sys, tarfile
                with tarfile.open(sys.argv[1], 'w:gz') as t:
                    info = tarfile.TarInfo('zeros'); info.size = 8 << 20
                    t.addfile(info, io.BytesIO(bytes(8 << 20)))
                """
            try python(script, [path])
            #expect(try bytes(of: path).count < 1 << 20)
            let reader = try ArchiveReader(path: path)
            _ = try reader.nextEntry()
            #expect(reader.streamPosition < 1 << 20)
            try reader.readData { _ in }
            #expect(reader.streamPosition >= 8 << 20)
        }
    }
}
