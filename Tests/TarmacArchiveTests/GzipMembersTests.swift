import Foundation
import Testing

@testable import TarmacArchive

extension ArchiveTests {
    /// Gzip members inflated one at a time on a thread of their own (`GzipMembers`), a few
    /// buffers used in turn: the entries of a libarchive stream, whatever the members' sizes;
    /// a damaged member is an error when the read reaches it; a reader let go early ends it.
    @Suite struct GzipMembersTests {
        /// A tar of a dozen files, some larger than the others, cut into `sizes`-byte parts
        /// (the last takes the rest), each gzipped on its own: the members, and their offsets.
        func members(_ dir: TempDirectory, sizes: [Int]) throws -> (path: String, offsets: [Int], tar: [UInt8]) {
            let tree = dir.file("tree")
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
            for index in 0..<12 {
                let count = index % 4 == 3 ? 300_000 + index : 20_000 + 997 * index
                try writeFile(tree + "/file-\(index)", Data(pseudoRandomBytes(count: count, seed: UInt64(index + 1))))
            }
            let tar = dir.file("plain.tar")
            let made = try run(["tar", "-c", "-f", tar, "-C", tree, "--sort=name", "."])
            try #require(made.status == 0, "\(made.stderr)")
            let plain = try bytes(of: tar)
            var parts: [ArraySlice<UInt8>] = []
            var at = 0
            for size in sizes where at < plain.count {
                parts.append(plain[at..<min(at + size, plain.count)])
                at += size
            }
            if at < plain.count { parts.append(plain[at...]) }
            var gzip: [UInt8] = []
            var offsets: [Int] = []
            for part in parts {
                let input = dir.file("part")
                try writeFile(input, Data(part))
                let result = try run(["gzip", "-n", "-1", "-c", input])
                try #require(result.status == 0, "\(result.stderr)")
                offsets.append(gzip.count)
                gzip += result.stdout
            }
            let path = dir.file("members.tar.gz")
            try writeFile(path, Data(gzip))
            return (path, offsets, plain)
        }

        func read(_ path: String, firstMember: Int) throws -> (byMember: Bool, read: Result<[ReadEntry], Error>) {
            let reader = try ArchiveReader(
                path: path, inflatingWholeUpTo: WholeGzip.defaultLimit, firstMemberUpTo: firstMember)
            return (reader.inflatedByMember, Result { try readAll(reader) })
        }

        @Test func moreMembersThanBuffersAndLargerThanTheFirstReadAsAStream() throws {
            let dir = try TempDirectory()
            // Nine members: more than the buffers, and the fourth and the last are far larger
            // than the first, whose size the buffers start at.
            let (path, offsets, _) = try members(
                dir, sizes: [40_000, 30_000, 50_000, 700_000, 20_000, 45_000, 60_000, 35_000])
            #expect(offsets.count == 9)
            let streamed = try ArchiveReader(path: path, inflatingWholeUpTo: 0)
            let expected = try readAll(streamed)
            #expect(expected.count == 13)
            let byMember = try read(path, firstMember: 40_000)
            #expect(byMember.byMember)
            #expect(try byMember.read.get() == expected)
        }

        @Test func aDamagedLaterMemberIsAnErrorWhereTheReadReachesIt() throws {
            let dir = try TempDirectory()
            let (path, offsets, _) = try members(dir, sizes: [60_000, 60_000, 60_000, 60_000, 60_000])
            var gzip = try bytes(of: path)
            let fourth = offsets[3]
            gzip[fourth + (offsets[4] - fourth) / 2] ^= 0xFF
            let damaged = dir.file("damaged.tar.gz")
            try writeFile(damaged, Data(gzip))
            let byMember = try read(damaged, firstMember: GzipMembers.firstLimit)
            #expect(byMember.byMember)
            switch byMember.read {
            case .success(let entries): Issue.record("read \(entries.count) entries of a damaged archive")
            case .failure(let error):
                #expect("\(error)".contains("the gzip member at byte \(fourth) is damaged or cut short"), "\(error)")
            }
            // (libarchive's stream does not check a member's CRC-32: it hands out the changed
            // bytes of a stored block, which only the manifest's digests then catch.)
        }

        /// A hostile member that inflates far beyond its few compressed bytes (zeros): the
        /// buffers together never pass the reader's limit; the read stops with an error there.
        @Test func aMemberThatInflatesPastTheLimitIsAnErrorNotMemory() throws {
            let dir = try TempDirectory()
            let (path, offsets, _) = try members(dir, sizes: [30_000, 30_000])
            #expect(offsets.count == 3)
            let zeros = dir.file("zeros")
            try writeFile(zeros, Data(count: 8 << 20))
            let bomb = try run(["gzip", "-n", "-9", "-c", zeros])
            try #require(bomb.status == 0, "\(bomb.stderr)")
            // The bomb goes second: the first member decides, small, and the thread meets it.
            var gzip = try bytes(of: path)
            gzip.insert(contentsOf: bomb.stdout, at: offsets[1])
            let hostile = dir.file("bomb.tar.gz")
            try writeFile(hostile, Data(gzip))
            let limit = 2 << 20
            try #require(gzip.count < limit)
            let reader = try ArchiveReader(path: hostile, inflatingWholeUpTo: limit, firstMemberUpTo: 64 << 10)
            #expect(reader.inflatedByMember)
            let core = try #require(reader.memberCore)
            let error = #expect(throws: ArchiveError.self) { _ = try readAll(reader) }
            #expect(
                "\(error.map { "\($0)" } ?? "")".contains("inflates to more than the \(limit) bytes"),
                "\(String(describing: error))")
            // The thread stopped at the bomb: what it holds is what it last made.
            let held = (0..<GzipMembers.slots).reduce(0) { $0 + core.buffers[$1].count }
            #expect(held <= limit, "\(held) bytes of buffers")
        }

        @Test(.timeLimit(.minutes(1)))
        func aReaderLetGoEarlyEndsTheInflatingThread() throws {
            let dir = try TempDirectory()
            let (path, offsets, _) = try members(dir, sizes: [30_000, 30_000, 30_000, 30_000, 30_000, 30_000])
            #expect(offsets.count == 7)
            for entries in [0, 1, 3, 20] {
                weak var core: GzipMembers.Core?
                do {
                    let reader = try ArchiveReader(path: path)
                    #expect(reader.inflatedByMember)
                    core = reader.memberCore
                    for _ in 0..<entries { _ = try reader.nextEntry() }
                }
                // The reader was released: its deinit stopped and joined the thread (which waited
                // for a free buffer, or had read to the end), and the memory they shared is gone.
                #expect(core == nil, "after \(entries) entries")
            }
        }
    }
}
