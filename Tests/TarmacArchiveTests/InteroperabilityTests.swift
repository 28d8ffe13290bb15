import Foundation
import TarmacArchive
import Testing

extension ArchiveTests {
    /// Other tools (GNU tar, zstd, xz, gzip, unzip, Python) accept what the writer produces.
    @Suite struct InteroperabilityTests {
        static let tarFlags: [ArchiveFormat: [String]] = [
            .tarGz: ["-xzf"], .tarZst: ["--zstd", "-xf"], .tarXz: ["-xJf"], .tar: ["-xf"],
        ]
        static let testers: [ArchiveFormat: [String]] = [
            .tarGz: ["gzip", "-t"], .tarZst: ["zstd", "-q", "-t"], .tarXz: ["xz", "-t"],
        ]

        @Test(arguments: [ArchiveFormat.tarGz, .tarZst, .tarXz, .tar])
        func gnuTarExtractsWhatWeWrite(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle." + format.fileExtension)
            try Fixture.writeArchive(at: path, format: format)
            let out = dir.file("out")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)

            let extract = try run(["tar"] + Self.tarFlags[format]! + [path, "-C", out])
            #expect(extract.status == 0, "tar: \(extract.stderr)")
            #expect(extract.stderr.isEmpty, "tar warned: \(extract.stderr)")
            try Fixture.verifyExtracted(at: out)
            #expect(fileStatus(out + "/pwned") == nil)
            #expect(fileStatus(dir.file("pwned")) == nil)
        }

        @Test(arguments: [ArchiveFormat.tarGz, .tarZst, .tarXz, .tar])
        func gnuTarListsRootOwnership(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle." + format.fileExtension)
            try Fixture.writeArchive(at: path, format: format)
            let list = try run(["tar", "--auto-compress", "-tvf", path])
            #expect(list.status == 0, "tar: \(list.stderr)")
            let lines = list.stdoutText.split(separator: "\n")
            #expect(lines.count == Fixture.entries.count)
            #expect(lines.allSatisfy { $0.contains(" root/root ") }, "\(list.stdoutText)")
            #expect(lines.first?.hasPrefix("drwxr-xr-x root/root") == true)
            #expect(lines.contains { $0.hasPrefix("-rwxr-xr-x root/root") && $0.hasSuffix(" app/bin/run.sh") })
            #expect(lines.contains { $0.hasPrefix("lrwxrwxrwx root/root") && $0.hasSuffix(" app/link -> bin/run.sh") })
            #expect(lines.contains { $0.hasSuffix(" app/café/日本.txt") }, "\(list.stdoutText)")
        }

        /// The zero-padding trap: output that went through a pipe must still be a valid stream.
        @Test(arguments: [ArchiveFormat.tarGz, .tarZst, .tarXz])
        func compressorsAcceptOutputWrittenToAPipe(format: ArchiveFormat) throws {
            let dir = try TempDirectory()
            let path = dir.file("piped." + format.fileExtension)
            try writeThroughPipe(to: path, format: format)
            let test = try run(Self.testers[format]! + [path])
            #expect(test.status == 0, "\(format): \(test.stderr)")
            #expect(test.stderr.isEmpty, "\(format): \(test.stderr)")

            try Fixture.writeArchive(at: dir.file("file." + format.fileExtension), format: format)
            #expect(
                try bytes(of: path).summary == bytes(of: dir.file("file." + format.fileExtension)).summary,
                "pipe and file output differ")

            let out = dir.file("out")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
            let extract = try run(["tar"] + Self.tarFlags[format]! + [path, "-C", out])
            #expect(extract.status == 0, "tar: \(extract.stderr)")
            try Fixture.verifyExtracted(at: out)
        }

        @Test func zipToolsAcceptWhatWeWrite() throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle.zip")
            try Fixture.writeArchive(at: path, format: .zip)

            let unzip = try run(["unzip", "-t", path])
            #expect(unzip.status == 0, "unzip: \(unzip.stdoutText) \(unzip.stderr)")
            let pythonTest = try run(["python3", "-m", "zipfile", "-t", path])
            #expect(pythonTest.status == 0, "python zipfile: \(pythonTest.stderr)")

            // Python decodes names as UTF-8 only when the language-encoding flag is set.
            let listing = try python(
                """
                import hashlib, json, sys, zipfile
                with zipfile.ZipFile(sys.argv[1]) as z:
                    print(json.dumps([[i.filename, i.external_attr >> 16, i.file_size,
                        hashlib.sha256(z.read(i)).hexdigest(), bool(i.flag_bits & 0x800)]
                        for i in z.infolist()]))
                """, [path])
            let rows = try #require(try JSONSerialization.jsonObject(with: listing.stdout) as? [[Any]])
            #expect(rows.count == Fixture.entries.count)
            for (row, entry) in zip(rows, Fixture.expected) {
                #expect(row[0] as? String == entry.header.path)
                let mode = try #require(row[1] as? Int)
                #expect(UInt32(mode) & 0o7777 == entry.header.permissions, "\(entry.header.path)")
                let kind = UInt32(mode) & 0o170000
                switch entry.header.type {
                case .directory: #expect(kind == 0o040000)
                case .symlink: #expect(kind == 0o120000)
                default: #expect(kind == 0o100000)
                }
                let stored = entry.header.symlinkTarget.map { Array($0.utf8) } ?? entry.data
                #expect(row[2] as? Int == stored.count, "\(entry.header.path)")
                #expect(row[3] as? String == (try sha256Hex(stored)), "\(entry.header.path)")
            }
            #expect(rows.contains { ($0[0] as? String)?.contains("日本") == true && $0[4] as? Bool == true })
        }

        @Test func unzipExtractsWhatWeWrite() throws {
            let dir = try TempDirectory()
            let path = dir.file("bundle.zip")
            try Fixture.writeArchive(at: path, format: .zip)
            let out = dir.file("out")
            let unzip = try run(["unzip", "-q", path, "-d", out])
            #expect(unzip.status == 0, "unzip: \(unzip.stderr)")
            // Info-ZIP rewrites control characters in names (the newline), so skip that one here;
            // the Python check above covers exact names.
            for entry in Fixture.entries where !entry.path.contains("\n") {
                guard case .file(let contents) = entry.kind else { continue }
                #expect(try bytes(of: out + "/" + entry.path).summary == contents.summary, "\(entry.path)")
            }
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/app/link") == "bin/run.sh")
            #expect(fileStatus(out + "/app/bin/run.sh").map { $0.st_mode & 0o777 } == 0o755)
        }

        /// Runs the writer on one end of a pipe while `cat` copies the other end to `path`.
        private func writeThroughPipe(to path: String, format: ArchiveFormat) throws {
            let pipe = Pipe()
            try writeFile(path, Data())
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            let cat = Process()
            cat.executableURL = URL(fileURLWithPath: "/bin/cat")
            cat.standardInput = pipe
            cat.standardOutput = output
            try cat.run()
            let writer = try ArchiveWriter(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor, format: format)
            try Fixture.write(to: writer)
            try writer.finish()
            try pipe.fileHandleForWriting.close()
            cat.waitUntilExit()
            try output.close()
            #expect(cat.terminationStatus == 0)
        }
    }
}

/// SHA-256 in hex, via sha256sum (keeps swift-crypto out of this test target).
func sha256Hex(_ data: [UInt8]) throws -> String {
    let dir = try TempDirectory()
    try writeFile(dir.file("data"), Data(data))
    let result = try run(["sha256sum", dir.file("data")])
    return String(result.stdoutText.prefix(64))
}
