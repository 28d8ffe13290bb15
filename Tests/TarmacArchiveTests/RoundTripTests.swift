import Foundation
import TarmacArchive
import Testing

extension ArchiveTests {
    /// Write with ArchiveWriter, read back with ArchiveReader, compare every header and byte.
    @Suite struct RoundTripTests {
        static let filterNames: [ArchiveFormat: String] = [
            .tarGz: "gzip", .tarZst: "zstd", .tarXz: "xz", .tar: "none", .zip: "none",
        ]

        @Test(arguments: ArchiveFormat.allCases)
        func roundTripThroughFilePaths(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle." + format.fileExtension)
            try Fixture.writeArchive(at: path, format: format)

            let reader = try ArchiveReader(path: path)
            let entries = try readAll(reader)
            #expect(entries.map(\.header) == Fixture.expected.map(\.header))
            #expect(entries == Fixture.expected)
            #expect(reader.filterName == Self.filterNames[format])
            let formatName = try #require(reader.formatName)
            if format == .zip {
                #expect(formatName.hasPrefix("ZIP"))
            } else {
                #expect(formatName.contains("ustar") || formatName.contains("pax"), "\(formatName)")
            }
        }

        @Test(arguments: ArchiveFormat.allCases)
        func roundTripThroughFileDescriptors(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle." + format.fileExtension)
            let output = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            #expect(output >= 0)
            defer { close(output) }
            let writer = try ArchiveWriter(fileDescriptor: output, format: format)
            try Fixture.write(to: writer)
            try writer.finish()
            #expect(fcntl(output, F_GETFD) != -1, "the writer must not close the caller's descriptor")

            let input = open(path, O_RDONLY | O_CLOEXEC)
            #expect(input >= 0)
            defer { close(input) }
            let entries = try readAll(try ArchiveReader(fileDescriptor: input))
            #expect(entries == Fixture.expected)
            #expect(fcntl(input, F_GETFD) != -1, "the reader must not close the caller's descriptor")
        }

        @Test func nonDefaultCompressionLevelsStillRoundTrip() throws {
            let dir = try TempDirectory()
            for (format, level) in [
                (ArchiveFormat.tarGz, 1), (.tarGz, 9), (.tarZst, 19), (.tarXz, 0), (.zip, 0), (.zip, 9),
            ] {
                let path = dir.file("level-\(level)." + format.fileExtension)
                let writer = try ArchiveWriter(path: path, format: format, compressionLevel: level)
                try Fixture.write(to: writer)
                try writer.finish()
                #expect(try readAll(try ArchiveReader(path: path)) == Fixture.expected, "\(format) level \(level)")
            }
        }

        @Test func dataIsStreamedInBoundedBlocks() throws {
            let dir = try TempDirectory()
            let contents = pseudoRandomBytes(count: 5 << 20, seed: 7)
            for format in ArchiveFormat.allCases {
                let path = dir.file("big." + format.fileExtension)
                let writer = try ArchiveWriter(path: path, format: format, compressionLevel: format == .tarXz ? 0 : nil)
                try writer.addFile(path: "big.bin", permissions: 0o644, mtime: 0, contents: contents)
                try writer.finish()

                let reader = try ArchiveReader(path: path)
                _ = try #require(try reader.nextEntry())
                var largestBlock = 0
                var total = 0
                var matches = true
                try reader.readData { block in
                    largestBlock = max(largestBlock, block.count)
                    matches =
                        matches
                        && contents.withUnsafeBytes {
                            memcmp($0.baseAddress! + total, block.baseAddress!, block.count) == 0
                        }
                    total += block.count
                }
                #expect(total == contents.count, "\(format)")
                #expect(matches, "\(format)")
                #expect(largestBlock <= 1 << 20, "\(format): a block of \(largestBlock) bytes")
            }
        }

        @Test func aReadAbandonedPartWayMovesOnToTheNextEntry() throws {
            let dir = try TempDirectory()
            let path = dir.file("small.tar")
            let writer = try ArchiveWriter(path: path, format: .tar)
            try writer.addFile(path: "a", permissions: 0o644, mtime: 0, contents: Array(repeating: 65, count: 100))
            try writer.addFile(path: "b", permissions: 0o644, mtime: 0, contents: Array(repeating: 66, count: 100))
            try writer.finish()

            let reader = try ArchiveReader(path: path)
            _ = try reader.nextEntry()
            #expect(throws: ArchiveError.self) { try reader.readAllData(maxBytes: 99) }
            #expect(try reader.nextEntry()?.path == "b")
            #expect(try reader.readAllData(maxBytes: 100) == Array(repeating: 66, count: 100))
            #expect(try reader.nextEntry() == nil)
            #expect(try reader.nextEntry() == nil, "nil again after the end, not an error")
        }

        @Test func skipDataMovesToTheNextEntry() throws {
            let dir = try TempDirectory()
            let path = dir.file("skip.tar.gz")
            try Fixture.writeArchive(at: path, format: .tarGz)
            let reader = try ArchiveReader(path: path)
            var paths: [String] = []
            while let header = try reader.nextEntry() {
                paths.append(header.path)
                try reader.skipData()
            }
            #expect(paths == Fixture.expected.map(\.header.path))
        }

        @Test func prepareProcessIsIdempotentAndSelectsUTF8() {
            #expect(ArchiveLibrary.prepareProcess())
            #expect(ArchiveLibrary.prepareProcess())
            #expect(String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8")
            #expect(ArchiveLibrary.versionDetails.hasPrefix("libarchive 3."))
            #expect(ArchiveLibrary.versionDetails.contains("libzstd"))
        }

        @Test func fileExtensionsAreTheRawValues() {
            #expect(ArchiveFormat.allCases.map(\.fileExtension) == ["tar.gz", "tar.zst", "tar.xz", "tar", "zip"])
        }
    }
}
