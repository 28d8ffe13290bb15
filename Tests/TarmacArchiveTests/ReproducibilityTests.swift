import Foundation
import TarmacArchive
import Testing

extension ArchiveTests {
    /// The same entries give the same bytes whatever the wall clock. (The umask and time zone are
    /// process-wide, so they are varied in a process of their own: BundleReproducibilityTests runs
    /// `tarmac bundle` under other umasks and time zones.)
    @Suite struct ReproducibilityTests {
        @Test(arguments: ArchiveFormat.allCases)
        func sameEntriesGiveIdenticalBytes(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let first = dir.file("first." + format.fileExtension)
            let second = dir.file("second." + format.fileExtension)
            try Fixture.writeArchive(at: first, format: format)
            // Not a synchronisation: a second passes so that a leaked "now" (the gzip MTIME) would differ.
            if format == .tarGz { sleep(1) }
            try Fixture.writeArchive(at: second, format: format)
            let a = try bytes(of: first)
            let b = try bytes(of: second)
            #expect(a.count > 100_000)
            let firstDifference =
                a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? (a.count == b.count ? nil : a.count)
            #expect(firstDifference == nil, "\(format): the two archives differ from byte \(firstDifference ?? 0)")
        }

        @Test func gzipHeaderCarriesNoTimestamp() throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle.tar.gz")
            try Fixture.writeArchive(at: path, format: .tarGz)
            let header = Array(try bytes(of: path).prefix(10))
            #expect(header[0..<3] == [0x1f, 0x8b, 8], "gzip magic and deflate")
            #expect(header[4..<8] == [0, 0, 0, 0], "gzip MTIME must be zero")
        }

        @Test func zipDosTimesAreUTC() throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle.zip")
            try Fixture.writeArchive(at: path, format: .zip)
            let zip = try bytes(of: path)
            #expect(zip[0..<4] == [0x50, 0x4b, 3, 4], "local file header")
            let dosTime = UInt16(zip[10]) | UInt16(zip[11]) << 8
            let dosDate = UInt16(zip[12]) | UInt16(zip[13]) << 8
            // 1_700_000_001 is 2023-11-14 22:13:21 UTC; DOS time keeps even seconds.
            #expect(dosDate == UInt16((2023 - 1980) << 9 | 11 << 5 | 14))
            #expect(dosTime == UInt16(22 << 11 | 13 << 5 | 21 / 2))
        }

        @Test func abandonedWriterDoesNotLookComplete() throws {
            let dir = try TempDirectory()
            let path = dir.file("abandoned.tar.gz")
            do {
                let writer = try ArchiveWriter(path: path, format: .tarGz)
                try Fixture.write(to: writer)
            }  // deinit without finish(): nothing, or members without the end of the tar
            #expect(throws: ArchiveError.self) { _ = try readAll(try ArchiveReader(path: path)) }
        }
    }
}
