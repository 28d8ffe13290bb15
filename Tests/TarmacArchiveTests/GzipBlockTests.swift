import Foundation
import Testing

@testable import TarmacArchive

extension ArchiveTests {
    /// tar.gz is deflated in chunks of 256 KiB on several threads, each after the last 32 KiB of
    /// the one before: one standard gzip member whose bytes depend neither on the threads nor on
    /// how the stream is handed in, and which gzip, GNU tar and libarchive read.
    @Suite struct GzipBlockTests {
        static let input = ZstdFrameTests.input

        @Test func bytesDependNeitherOnThreadsNorOnHowTheInputIsSliced() throws {
            let one = try encode(Self.input, threads: 1, slice: Self.input.count)
            #expect(one.count > 1000 && one.count < Self.input.count / 2)
            for (threads, slice) in [(2, 4099), (3, (1 << 18) + 7), (8, 65_536)] {
                #expect(try encode(Self.input, threads: threads, slice: slice) == one, "\(threads) threads")
            }
        }

        /// gzip reads it back whole, checks its CRC-32 and length, and finds one member with no
        /// name and no timestamp; the dictionaries keep it within 1% of one deflate of the whole.
        @Test func gzipReadsItAsOneMember() throws {
            let dir = try TempDirectory()
            let path = dir.file("stream.gz")
            let bytes = try encode(Self.input, threads: 2, slice: 1 << 20)
            try writeFile(path, Data(bytes))
            #expect(Array(bytes.prefix(10)) == [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])
            #expect(try run(["gzip", "-t", path]).status == 0)
            let decoded = try run(["gzip", "-dc", path])
            #expect(decoded.status == 0 && Array(decoded.stdout) == Self.input, "\(decoded.stderr)")
            let whole = dir.file("whole")
            try writeFile(whole, Data(Self.input))
            let gzip = try run(["gzip", "-6", "-n", "-c", whole])
            #expect(Double(bytes.count) < Double(gzip.stdout.count) * 1.01, "\(bytes.count) vs \(gzip.stdout.count)")
        }

        /// A stream of exactly whole chunks ends with an empty last block; an empty one is a
        /// valid empty member.
        @Test func wholeChunksAndAnEmptyStreamAreValid() throws {
            let dir = try TempDirectory()
            for (name, input) in [("empty", [UInt8]()), ("whole", Array(Self.input.prefix(2 * GzipCodec.chunkSize)))] {
                let path = dir.file(name + ".gz")
                try writeFile(path, Data(try encode(input, threads: 2, slice: 1000)))
                let decoded = try run(["gzip", "-dc", path])
                #expect(decoded.status == 0 && Array(decoded.stdout) == input, "\(name): \(decoded.stderr)")
            }
        }

        private func encode(_ input: [UInt8], threads: Int, slice: Int) throws -> [UInt8] {
            try ChunkedWriterTests.encode(input, slice: slice) {
                GzipBlockEncoder(level: 6, threads: threads, name: "test", sink: $0)
            }
        }
    }
}
