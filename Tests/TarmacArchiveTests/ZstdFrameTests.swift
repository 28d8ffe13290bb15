import Foundation
import Testing

@testable import TarmacArchive

extension ArchiveTests {
    /// tar.zst is a row of independent single-threaded zstd frames, one per 4 MiB of the stream:
    /// its bytes depend neither on the encoder's threads nor on whether the libzstd it links was
    /// built with multithreading (the release's static libzstd.a is not; the shared one is).
    @Suite struct ZstdFrameTests {
        /// 10.5 MiB of text that compresses like source code does (three frames, the last one short).
        static let input: [UInt8] = {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(11 << 20)
            var state: UInt64 = 7
            while bytes.count < (21 << 19) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes += Array(
                    "    let value\(state >> 52) = compute(\(state >> 40 & 0xfff), \"\(state >> 60)\")\n".utf8)
            }
            return Array(bytes.prefix(21 << 19))
        }()

        @Test func bytesDependNeitherOnThreadsNorOnHowTheInputIsSliced() throws {
            let one = try encode(Self.input, threads: 1, slice: Self.input.count)
            #expect(one.count > 1000 && one.count < Self.input.count / 2)
            for (threads, slice) in [(2, 4099), (3, (1 << 20) + 7), (8, 65_536)] {
                #expect(try encode(Self.input, threads: threads, slice: slice) == one, "\(threads) threads")
            }
        }

        /// Each frame is exactly what the zstd CLI makes of its 4 MiB alone (`zstd -3` compresses a
        /// file of one job in one pass, as ZSTD_compress2 does): no multithreaded format anywhere.
        @Test func eachFrameIsItsChunkCompressedAlone() throws {
            let dir = try TempDirectory()
            var expected: [UInt8] = []
            for (index, start) in stride(from: 0, to: Self.input.count, by: ZstdFrameEncoder.chunkSize).enumerated() {
                let chunk = Self.input[start..<min(Self.input.count, start + ZstdFrameEncoder.chunkSize)]
                let path = dir.file("chunk\(index)")
                try writeFile(path, Data(chunk))
                let result = try run(["zstd", "-3", "--no-check", "-q", "-c", path])
                #expect(result.status == 0, "\(result.stderr)")
                expected += result.stdout
            }
            #expect(try encode(Self.input, threads: 2, slice: 100_000) == expected)
        }

        @Test func theFramesAreOneStandardStream() throws {
            let dir = try TempDirectory()
            let path = dir.file("stream.zst")
            try writeFile(path, Data(try encode(Self.input, threads: 2, slice: 1 << 20)))
            let listing = try run(["zstd", "-lv", path])
            #expect(listing.stdoutText.contains("Zstandard Frames: 3"), "\(listing.stdoutText)")
            #expect(listing.stdoutText.contains("Check: None"), "\(listing.stdoutText)")
            let decoded = try run(["zstd", "-d", "-q", "-c", path])
            #expect(decoded.status == 0 && Array(decoded.stdout) == Self.input, "\(decoded.stderr)")
        }

        @Test func anEmptyStreamIsOneEmptyFrame() throws {
            let dir = try TempDirectory()
            let path = dir.file("empty.zst")
            let bytes = try encode([], threads: 2, slice: 1)
            try writeFile(path, Data(bytes))
            #expect(bytes.count > 0)
            let decoded = try run(["zstd", "-d", "-q", "-c", path])
            #expect(decoded.status == 0 && decoded.stdout.isEmpty, "\(decoded.stderr)")
        }

        /// A bundle's tar.zst (a plain tar writer into `CompressingStream`) and `ArchiveWriter`'s own
        /// tar.zst are the same bytes for the same entries, several frames long.
        @Test func everyWriterGivesTheSameBytes() throws {
            let dir = try TempDirectory()
            let direct = dir.file("direct.tar.zst")
            let viaPath = try ArchiveWriter(path: direct, format: .tarZst)
            try writeEntries(to: viaPath)
            var streamed: [UInt8] = []
            let stream = try CompressingStream(format: .tarZst, name: "stream") { streamed += $0 }
            let tar = try ArchiveWriter(format: .tar, name: "tar") { try stream.write($0) }
            try writeEntries(to: tar)
            try stream.finish()
            var sunk: [UInt8] = []
            let viaSink = try ArchiveWriter(format: .tarZst, name: "sink") { sunk += $0 }
            try writeEntries(to: viaSink)
            let written = Array(try Data(contentsOf: URL(fileURLWithPath: direct)))
            #expect(written.count > 1000 && written == streamed && written == sunk)
            let entries = try readAll(try ArchiveReader(path: direct))
            #expect(entries.last?.header.path == "big.txt" && entries.last?.data == Self.input)
        }

        /// A sink that fails stops the writer with the sink's own error, not libarchive's "write failed".
        @Test func aSinkFailureIsTheWritersError() throws {
            struct Full: Error {}
            let writer = try ArchiveWriter(format: .tarZst, name: "full") { _ in throw Full() }
            #expect(throws: Full.self) {
                try writeEntries(to: writer)
                try writer.finish()
            }
        }

        private func encode(_ input: [UInt8], threads: Int, slice: Int) throws -> [UInt8] {
            var output: [UInt8] = []
            let encoder = ZstdFrameEncoder(level: 3, threads: threads, name: "test") { output += $0 }
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

        private func writeEntries(to writer: ArchiveWriter) throws {
            try Fixture.write(to: writer)
            try writer.addFile(path: "big.txt", permissions: 0o644, mtime: Fixture.mtime, contents: Self.input)
            try writer.finish()
        }
    }
}
