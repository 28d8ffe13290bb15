import Foundation
import TarmacArchive
import Testing

extension ArchiveTests {
    /// Bad input and misuse give an ArchiveError that names the archive and the problem.
    @Suite struct ErrorTests {
        @Test(arguments: [ArchiveFormat.tarGz, .tarZst, .tarXz, .tar, .zip])
        func truncatedArchiveThrows(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let path = dir.file("cut." + format.fileExtension)
            try Fixture.writeArchive(at: path, format: format)
            let whole = try bytes(of: path)
            try writeFile(path, Data(whole.prefix(whole.count / 2)))

            let error = try #require(throws: ArchiveError.self) { _ = try readAll(try ArchiveReader(path: path)) }
            #expect(error.archive == path)
            #expect(error.description.hasPrefix(path + ": cannot "))
            #expect(!error.message.isEmpty)
            if format == .tarGz {
                #expect(error.message.lowercased().contains("truncated"), "\(error)")
            }
        }

        @Test func nonArchiveThrows() throws {
            let dir = try TempDirectory()
            let path = dir.file("notes.txt")
            try writeFile(path, Data(String(repeating: "just text\n", count: 200).utf8))
            let error = try #require(throws: ArchiveError.self) {
                let reader = try ArchiveReader(path: path)
                _ = try reader.nextEntry()
            }
            #expect(error.message.contains("Unrecognized archive format"), "\(error)")
            #expect(error.description == "\(path): cannot \(error.operation): \(error.message)")
        }

        /// cpio is a format libarchive knows (format_all would read it), but the reader does not enable it.
        @Test func formatsOutsideTheAllowListAreRefused() throws {
            let dir = try TempDirectory()
            let path = dir.file("a.cpio")
            try python(
                """
                import sys
                def member(name, data, mode):
                    name = name.encode() + b'\\0'
                    fields = [(0, 6), (0, 6), (mode, 6), (0, 6), (0, 6), (1, 6), (0, 6), (0, 11), (len(name), 6), (len(data), 11)]
                    return b'070707' + b''.join(b'%0*o' % (width, value) for value, width in fields) + name + data
                with open(sys.argv[1], 'wb') as f:
                    f.write(member('hello.txt', b'hello\\n', 0o100644) + member('TRAILER!!!', b'', 0))
                """, [path])
            let error = try #require(throws: ArchiveError.self) { _ = try readAll(try ArchiveReader(path: path)) }
            #expect(error.message.contains("Unrecognized archive format"), "\(error)")
        }

        @Test func missingFileThrows() throws {
            let error = try #require(throws: ArchiveError.self) {
                _ = try ArchiveReader(path: "/nonexistent/bundle.tar.gz")
            }
            #expect(error.errorNumber == ENOENT)
            #expect(error.description.contains("/nonexistent/bundle.tar.gz"))
            let writeError = try #require(throws: ArchiveError.self) {
                _ = try ArchiveWriter(path: "/nonexistent/dir/bundle.tar.gz", format: .tarGz)
            }
            #expect(writeError.errorNumber == ENOENT)
        }

        @Test func readerMisuseThrows() throws {
            let dir = try TempDirectory()
            let path = dir.file("one.tar")
            let writer = try ArchiveWriter(path: path, format: .tar)
            try writer.addFile(path: "a", permissions: 0o644, mtime: 0, contents: [1])
            try writer.finish()
            let reader = try ArchiveReader(path: path)
            #expect(throws: ArchiveError.self) { try reader.readData { _ in } }
            #expect(throws: ArchiveError.self) { try reader.skipData() }
            struct Stop: Error {}
            _ = try reader.nextEntry()
            #expect(throws: Stop.self) { try reader.readData { _ in throw Stop() } }
            // libarchive cannot rewind: a second read must fail rather than return zeros or nothing.
            let again = try #require(throws: ArchiveError.self) { try reader.readData { _ in } }
            #expect(again.message.contains("already read"))
            try reader.skipData()
            #expect(try reader.nextEntry() == nil)
        }

        @Test func writerRefusesWrongSizes() throws {
            let dir = try TempDirectory()
            let tooMuch = try ArchiveWriter(path: dir.file("a.tar"), format: .tar)
            try tooMuch.beginFile(path: "f", permissions: 0o644, size: 3, mtime: 0)
            let overflow = try #require(throws: ArchiveError.self) {
                try [UInt8](repeating: 1, count: 4).withUnsafeBytes { try tooMuch.writeData($0) }
            }
            #expect(overflow.message.contains("declared size"), "\(overflow)")
            #expect(throws: ArchiveError.self) { try tooMuch.finish() }

            let short = try ArchiveWriter(path: dir.file("b.tar"), format: .tar)
            try short.beginFile(path: "f", permissions: 0o644, size: 3, mtime: 0)
            try [UInt8]([1, 2]).withUnsafeBytes { try short.writeData($0) }
            let missing = try #require(throws: ArchiveError.self) {
                try short.addDirectory(path: "d", permissions: 0o755, mtime: 0)
            }
            #expect(missing.message.contains("1 bytes"), "\(missing)")

            let noFile = try ArchiveWriter(path: dir.file("c.tar"), format: .tar)
            #expect(throws: ArchiveError.self) { try [UInt8]([1]).withUnsafeBytes { try noFile.writeData($0) } }
        }

        @Test func writerRefusesBadArguments() throws {
            let dir = try TempDirectory()
            #expect(throws: ArchiveError.self) {
                _ = try ArchiveWriter(path: dir.file("a.tar"), format: .tar, compressionLevel: 3)
            }
            #expect(throws: ArchiveError.self) {
                _ = try ArchiveWriter(path: dir.file("a.tar.zst"), format: .tarZst, compressionLevel: 40)
            }
            #expect(throws: ArchiveError.self) {
                _ = try ArchiveWriter(path: dir.file("a.tar.gz"), format: .tarGz, compressionLevel: 0)
            }

            let writer = try ArchiveWriter(path: dir.file("b.tar.gz"), format: .tarGz)
            #expect(throws: ArchiveError.self) {
                try writer.addFile(path: "", permissions: 0o644, mtime: 0, contents: [])
            }
            #expect(throws: ArchiveError.self) {
                try writer.addFile(path: "a\0b", permissions: 0o644, mtime: 0, contents: [])
            }
            #expect(throws: ArchiveError.self) { try writer.addSymlink(path: "l", target: "", mtime: 0) }
            #expect(throws: ArchiveError.self) {
                try writer.beginFile(path: "n", permissions: 0o644, size: -1, mtime: 0)
            }
        }

        @Test func writerRefusesUseAfterFinish() throws {
            let dir = try TempDirectory()
            let writer = try ArchiveWriter(path: dir.file("done.tar.gz"), format: .tarGz)
            try writer.addDirectory(path: "d", permissions: 0o755, mtime: 0)
            try writer.finish()
            let error = try #require(throws: ArchiveError.self) {
                try writer.addDirectory(path: "e", permissions: 0o755, mtime: 0)
            }
            #expect(error.message.contains("already finished"))
            #expect(throws: ArchiveError.self) { try writer.finish() }
            #expect(try readAll(try ArchiveReader(path: dir.file("done.tar.gz"))).map(\.header.path) == ["d/"])
        }

        @Test func writingToAClosedPipeThrows() throws {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            close(fds[0])
            signal(SIGPIPE, SIG_IGN)  // what the CLI does at start-up; otherwise the write kills the test process
            defer { close(fds[1]) }
            let writer = try ArchiveWriter(fileDescriptor: fds[1], format: .tar)
            let error = try #require(throws: ArchiveError.self) {
                try writer.addFile(
                    path: "big", permissions: 0o644, mtime: 0, contents: [UInt8](repeating: 7, count: 1 << 20))
                try writer.finish()
            }
            #expect(error.errorNumber == EPIPE, "\(error)")
        }
    }
}
