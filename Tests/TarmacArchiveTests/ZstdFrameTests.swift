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

        private func encode(_ input: [UInt8], threads: Int, slice: Int) throws -> [UInt8] {
            try ChunkedWriterTests.encode(input, slice: slice) {
                ZstdFrameEncoder(level: 3, threads: threads, name: "test", sink: $0)
            }
        }
    }
}
