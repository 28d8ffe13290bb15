import Foundation
import Testing

@testable import TarmacArchive

extension ArchiveTests {
    /// A gzip file of bounded size is inflated in one call (libdeflate) and read from memory;
    /// anything else streams through libarchive. Either way a reader gives the same entries,
    /// the same data and the same errors.
    @Suite struct WholeGzipTests {
        /// What a reader gives: the entries, or the error that stopped it.
        func outcome(_ path: String, limit: Int) throws -> (whole: Bool, read: String) {
            let reader = try ArchiveReader(path: path, inflatingWholeUpTo: limit)
            let read: String
            do {
                read = "\(try readAll(reader)) at \(reader.streamPosition) of \(reader.filterName ?? "-")"
            } catch {
                read = "error: \(error)"
            }
            return (reader.inflatedWhole, read)
        }

        @Test func aBoundedGzipIsInflatedWholeAndReadsAsStreamed() throws {
            let dir = try TempDirectory()
            let path = dir.file("plain.tar.gz")
            try Fixture.writeArchive(at: path, format: .tarGz)
            let whole = try outcome(path, limit: WholeGzip.defaultLimit)
            let streamed = try outcome(path, limit: 0)
            #expect(whole.whole && !streamed.whole)
            #expect(whole.read == streamed.read)
            #expect(whole.read.hasSuffix(" of gzip"), "\(whole.read)")
            #expect(try readAll(try ArchiveReader(path: path)) == Fixture.expected)
        }

        /// Several members, as tarmac and pigz write them, are inflated whole too.
        @Test func severalMembersAreInflatedWholeAndReadAsStreamed() throws {
            let dir = try TempDirectory()
            let tar = dir.file("plain.tar")
            try Fixture.writeArchive(at: tar, format: .tar)
            let plain = try bytes(of: tar)
            var members: [UInt8] = []
            for part in [plain.prefix(3000), plain.dropFirst(3000)] {
                let input = dir.file("in")
                try writeFile(input, Data(part))
                let result = try run(["gzip", "-n", "-c", input])
                try #require(result.status == 0, "\(result.stderr)")
                members += result.stdout
            }
            let path = dir.file("two.tar.gz")
            try writeFile(path, Data(members))
            let whole = try outcome(path, limit: WholeGzip.defaultLimit)
            let streamed = try outcome(path, limit: 0)
            #expect(whole.whole && !streamed.whole)
            #expect(whole.read == streamed.read)
            #expect(try readAll(try ArchiveReader(path: path)) == Fixture.expected)
            // The limit is on all members together.
            #expect(try !outcome(path, limit: plain.count - 1).whole)
        }

        /// Only the plain case is taken; each of these streams, as before, entries or error alike.
        @Test func anythingElseStreamsWithTheSameResult() throws {
            let dir = try TempDirectory()
            let tar = dir.file("plain.tar")
            try Fixture.writeArchive(at: tar, format: .tar)
            let plain = try bytes(of: tar)
            func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
                let input = dir.file("in")
                try writeFile(input, Data(bytes))
                let result = try run(["gzip", "-n", "-c", input])
                try #require(result.status == 0, "\(result.stderr)")
                return Array(result.stdout)
            }
            let one = try gzip(plain)
            var lying = one
            lying[lying.count - 4] ^= 0x01  // ISIZE one byte off
            var damaged = one
            damaged[damaged.count / 2] ^= 0xFF
            let cases: [(String, [UInt8], Int)] = [
                ("a second member cut short", one + Array(one.prefix(one.count / 2)), WholeGzip.defaultLimit),
                ("bytes after the member", one + [0x00, 0x01, 0x02, 0x03], WholeGzip.defaultLimit),
                ("a trailer that lies about the size", lying, WholeGzip.defaultLimit),
                ("damaged data", damaged, WholeGzip.defaultLimit),
                ("larger than the limit", one, plain.count - 1),
                ("truncated", Array(one.prefix(one.count / 2)), WholeGzip.defaultLimit),
            ]
            for (name, bytes, limit) in cases {
                let path = dir.file("case.tar.gz")
                try writeFile(path, Data(bytes))
                let tried = try outcome(path, limit: limit)
                let streamed = try outcome(path, limit: 0)
                #expect(!tried.whole, "\(name)")
                #expect(tried.read == streamed.read, "\(name)")
            }
        }

        /// Blocks of an archive inflated whole stay in the reader's memory; streamed ones do not.
        @Test func heldBlocksAreOnlyThoseOfAWholeArchive() throws {
            let dir = try TempDirectory()
            let path = dir.file("plain.tar.gz")
            try Fixture.writeArchive(at: path, format: .tarGz)
            for (limit, held) in [(WholeGzip.defaultLimit, true), (0, false)] {
                let reader = try ArchiveReader(path: path, inflatingWholeUpTo: limit)
                var blocks = 0
                while let header = try reader.nextEntry() {
                    try reader.readData { block in
                        blocks += 1
                        #expect(reader.isHeld(block) == held, "\(header.path), limit \(limit)")
                    }
                }
                #expect(blocks > 0)
                let elsewhere = [UInt8](repeating: 1, count: 16)
                elsewhere.withUnsafeBytes { #expect(!reader.isHeld($0)) }
            }
        }
    }
}
