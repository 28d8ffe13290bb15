import CArchive
import Foundation
import Testing

@testable import TarmacArchive

extension ArchiveTests {
    /// tar.gz is compressed in chunks of 2 MiB on several threads, each into a gzip member of its
    /// own: a standard gzip file whose bytes depend neither on the threads nor on how the stream
    /// is handed in, and which gzip, GNU tar and libarchive read as one stream.
    @Suite struct GzipBlockTests {
        static let input = ZstdFrameTests.input

        @Test func bytesDependNeitherOnThreadsNorOnHowTheInputIsSliced() throws {
            let one = try encode(Self.input, threads: 1, slice: Self.input.count)
            #expect(one.count > 1000 && one.count < Self.input.count / 2)
            for (threads, slice) in [(2, 4099), (3, (1 << 18) + 7), (8, 65_536)] {
                #expect(try encode(Self.input, threads: threads, slice: slice) == one, "\(threads) threads")
            }
        }

        /// gzip reads the members back as one stream and checks each CRC-32 and length; each
        /// member has no name and no timestamp and holds one chunk; the whole is within 1% of
        /// `gzip -6` of the whole input.
        @Test func gzipReadsTheMembersAsOneStream() throws {
            let dir = try TempDirectory()
            let path = dir.file("stream.gz")
            let bytes = try encode(Self.input, threads: 2, slice: 1 << 20)
            try writeFile(path, Data(bytes))
            #expect(Array(bytes.prefix(10)) == [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
            #expect(try run(["gzip", "-t", path]).status == 0)
            let decoded = try run(["gzip", "-dc", path])
            #expect(decoded.status == 0 && Array(decoded.stdout) == Self.input, "\(decoded.stderr)")
            #expect(try memberSizes(bytes) == Self.input.count.chunks(of: GzipCodec.chunkSize))
            let whole = dir.file("whole")
            try writeFile(whole, Data(Self.input))
            let gzip = try run(["gzip", "-6", "-n", "-c", whole])
            #expect(Double(bytes.count) < Double(gzip.stdout.count) * 1.01, "\(bytes.count) vs \(gzip.stdout.count)")
        }

        /// A stream of exactly whole chunks ends with an empty last member; an empty one is a
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

        /// How many bytes each member of `bytes` inflates to, member by member (libdeflate).
        private func memberSizes(_ bytes: [UInt8]) throws -> [Int] {
            let decompressor = try #require(libdeflate_alloc_decompressor())
            defer { libdeflate_free_decompressor(decompressor) }
            var output = [UInt8](repeating: 0, count: GzipCodec.chunkSize)
            var sizes: [Int] = []
            var offset = 0
            while offset < bytes.count {
                var consumed = 0
                var produced = 0
                let result = bytes[offset...].withUnsafeBytes { input in
                    output.withUnsafeMutableBytes {
                        libdeflate_gzip_decompress_ex(
                            decompressor, input.baseAddress, input.count, $0.baseAddress, $0.count, &consumed,
                            &produced)
                    }
                }
                try #require(result == LIBDEFLATE_SUCCESS && consumed > 0, "member at \(offset)")
                sizes.append(produced)
                offset += consumed
            }
            return sizes
        }

        private func encode(_ input: [UInt8], threads: Int, slice: Int) throws -> [UInt8] {
            try ChunkedWriterTests.encode(input, slice: slice) {
                GzipBlockEncoder(level: 6, threads: threads, name: "test", sink: $0)
            }
        }
    }
}

extension Int {
    /// `self` bytes cut into pieces of `size`, the last one shorter (and none when 0).
    fileprivate func chunks(of size: Int) -> [Int] {
        stride(from: 0, to: self, by: size).map { Swift.min(size, self - $0) }
    }
}
