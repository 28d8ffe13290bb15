import Foundation
import Testing

@testable import TarmacArchive

extension ArchiveTests {
    /// tar.gz and tar.zst, written in chunks on several threads (`ChunkEncoder`): every writer
    /// gives the same bytes, and a sink's failure is the writer's error.
    @Suite struct ChunkedWriterTests {
        /// A bundle's archive (a plain tar writer into `CompressingStream`) and `ArchiveWriter`'s
        /// own, to a file or to a sink, are the same bytes for the same entries, several chunks
        /// long; libarchive and GNU tar read them.
        @Test(arguments: [ArchiveFormat.tarGz, .tarZst])
        func everyWriterGivesTheSameBytes(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let direct = dir.file("direct." + format.rawValue)
            try Self.writeEntries(to: try ArchiveWriter(path: direct, format: format))
            var streamed: [UInt8] = []
            let stream = try CompressingStream(format: format, name: "stream") { streamed += $0 }
            try Self.writeEntries(to: try ArchiveWriter(format: .tar, name: "tar") { try stream.write($0) })
            try stream.finish()
            var sunk: [UInt8] = []
            try Self.writeEntries(to: try ArchiveWriter(format: format, name: "sink") { sunk += $0 })
            let written = Array(try Data(contentsOf: URL(fileURLWithPath: direct)))
            #expect(written.count > 1000 && written == streamed && written == sunk)
            let entries = try readAll(try ArchiveReader(path: direct))
            #expect(entries.last?.header.path == "big.txt" && entries.last?.data == ZstdFrameTests.input)
            let listed = try run(["tar", "-tf", direct])
            #expect(listed.status == 0 && listed.stdoutText.contains("big.txt"), "\(listed.stderr)")
        }

        /// A sink that fails stops the writer with the sink's own error, not libarchive's "write failed".
        @Test(arguments: [ArchiveFormat.tarGz, .tarZst])
        func aSinkFailureIsTheWritersError(format: ArchiveFormat) throws {
            struct Full: Error {}
            let writer = try ArchiveWriter(format: format, name: "full") { _ in throw Full() }
            #expect(throws: Full.self) {
                try Self.writeEntries(to: writer)
                try writer.finish()
            }
        }

        /// `input` through the encoder `make` builds around a sink, handed over `slice` bytes at a time.
        static func encode(
            _ input: [UInt8], slice: Int,
            with make: (@escaping (UnsafeRawBufferPointer) throws -> Void) -> any ChunkWriting
        ) throws -> [UInt8] {
            var output: [UInt8] = []
            let encoder = make { output += $0 }
            try input.withUnsafeBytes { all in
                var offset = 0
                while offset < all.count {
                    let end = min(all.count, offset + slice)
                    try encoder.write(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                    offset = end
                }
            }
            try encoder.finish()
            return output
        }

        static func writeEntries(to writer: ArchiveWriter) throws {
            try Fixture.write(to: writer)
            try writer.addFile(
                path: "big.txt", permissions: 0o644, mtime: Fixture.mtime, contents: ZstdFrameTests.input)
            try writer.finish()
        }
    }
}
