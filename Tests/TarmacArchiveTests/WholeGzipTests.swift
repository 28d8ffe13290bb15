import Foundation
import Testing

@testable import TarmacArchive

extension ArchiveTests {
    /// A gzip file of bounded size is inflated with libdeflate, member by member when its first
    /// member is small (`GzipMembers`), else in one call (`WholeGzip`), and read from memory;
    /// anything else streams through libarchive. Every way a reader gives the same entries, the
    /// same data and the same errors; only a later member that is damaged is an error of the
    /// member way alone (libarchive's stream checks no CRC-32: `GzipMembersTests`).
    @Suite struct WholeGzipTests {
        enum Way: Equatable { case members, whole, stream }

        /// What a reader gives: the entries, or the error that stopped it.
        func outcome(_ path: String, limit: Int, firstMember: Int = GzipMembers.firstLimit) throws -> (
            way: Way, read: String
        ) {
            let reader = try ArchiveReader(path: path, inflatingWholeUpTo: limit, firstMemberUpTo: firstMember)
            let read: String
            do {
                read = "\(try readAll(reader)) at \(reader.streamPosition) of \(reader.filterName ?? "-")"
            } catch {
                read = "error: \(error)"
            }
            return (reader.inflatedByMember ? .members : reader.inflatedWhole ? .whole : .stream, read)
        }

        @Test func aBoundedGzipIsInflatedWholeAndReadsAsStreamed() throws {
            let dir = try TempDirectory()
            let path = dir.file("plain.tar.gz")
            try Fixture.writeArchive(at: path, format: .tarGz)
            let members = try outcome(path, limit: WholeGzip.defaultLimit)
            let whole = try outcome(path, limit: WholeGzip.defaultLimit, firstMember: 0)
            let streamed = try outcome(path, limit: 0)
            #expect(members.way == .members && whole.way == .whole && streamed.way == .stream)
            #expect(members.read == streamed.read && whole.read == streamed.read)
            #expect(whole.read.hasSuffix(" of gzip"), "\(whole.read)")
            #expect(try readAll(try ArchiveReader(path: path)) == Fixture.expected)
        }

        /// Several members, as tarmac and pigz write them, are inflated one by one, or whole.
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
            let byMember = try outcome(path, limit: WholeGzip.defaultLimit)
            let whole = try outcome(path, limit: WholeGzip.defaultLimit, firstMember: 0)
            let streamed = try outcome(path, limit: 0)
            #expect(byMember.way == .members && whole.way == .whole && streamed.way == .stream)
            #expect(byMember.read == streamed.read && whole.read == streamed.read)
            #expect(try readAll(try ArchiveReader(path: path)) == Fixture.expected)
            // The whole way's limit is on all members together.
            #expect(try outcome(path, limit: plain.count - 1, firstMember: 0).way == .stream)
            // A first member larger than the member way takes is inflated whole.
            #expect(try outcome(path, limit: WholeGzip.defaultLimit, firstMember: 2999).way == .whole)
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
            // A first member that is whole: the rest is read (or not) as a stream reads it.
            let firstMemberGood = ["a second member cut short", "bytes after the member"]
            for (name, bytes, limit) in cases {
                let path = dir.file("case.tar.gz")
                try writeFile(path, Data(bytes))
                let tried = try outcome(path, limit: limit)
                let whole = try outcome(path, limit: limit, firstMember: 0)
                let streamed = try outcome(path, limit: 0)
                #expect(tried.way == (firstMemberGood.contains(name) ? .members : .stream), "\(name)")
                #expect(whole.way == .stream, "\(name)")
                #expect(tried.read == streamed.read, "\(name)")
                #expect(whole.read == streamed.read, "\(name)")
            }
        }

        /// Blocks of an archive inflated whole stay in the reader's memory; others do not.
        @Test func heldBlocksAreOnlyThoseOfAWholeArchive() throws {
            let dir = try TempDirectory()
            let path = dir.file("plain.tar.gz")
            try Fixture.writeArchive(at: path, format: .tarGz)
            let ways = [
                (WholeGzip.defaultLimit, 0, true), (WholeGzip.defaultLimit, GzipMembers.firstLimit, false),
                (0, 0, false),
            ]
            for (limit, firstMember, held) in ways {
                let reader = try ArchiveReader(path: path, inflatingWholeUpTo: limit, firstMemberUpTo: firstMember)
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
