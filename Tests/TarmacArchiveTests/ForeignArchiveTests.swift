import Foundation
import TarmacArchive
import Testing

extension ArchiveTests {
    /// The reader handles archives made by other tools: GNU tar (gnu and pax formats, every
    /// filter), Info-ZIP, Python's zipfile, sparse members, and archives arriving on a pipe.
    @Suite struct ForeignArchiveTests {
        /// A small tree on disk: exec bit, odd names, a symlink, a hard link and a long name.
        final class SourceTree {
            let dir: TempDirectory
            let root: String
            static let longName = String(repeating: "x", count: 120) + ".txt"

            init() throws {
                dir = try TempDirectory()
                root = dir.file("src")
                let fm = FileManager.default
                try fm.createDirectory(atPath: root + "/日本", withIntermediateDirectories: true)
                try writeFile(root + "/a b.txt", Data("spaces\n".utf8))
                try writeFile(root + "/run.sh", Data("#!/bin/sh\n".utf8))
                #expect(chmod(root + "/run.sh", 0o755) == 0)
                try writeFile(root + "/日本/é $(x).txt", Data("é\n".utf8))
                try writeFile(root + "/" + Self.longName, Data("long\n".utf8))
                try fm.createSymbolicLink(atPath: root + "/ln", withDestinationPath: "run.sh")
                #expect(link(root + "/a b.txt", root + "/hard") == 0)
                #expect(chmod(root + "/a b.txt", 0o640) == 0)
            }
        }

        static let tarVariants: [(format: String, flag: String, filter: String)] = [
            ("gnu", "-z", "gzip"), ("pax", "--zstd", "zstd"), ("gnu", "-J", "xz"), ("pax", "-j", "bzip2"),
            ("gnu", "", "none"),
        ]

        @Test(arguments: 0..<tarVariants.count)
        func readsArchivesMadeByGnuTar(variant: Int) throws {
            let (format, flag, filter) = Self.tarVariants[variant]
            let tree = try SourceTree()
            let path = tree.dir.file("gnu.tar")
            let create = try run(
                ["tar", "--format=" + format] + (flag.isEmpty ? [] : [flag]) + ["-cf", path, "src"], in: tree.dir.path)
            #expect(create.status == 0, "tar: \(create.stderr)")

            let reader = try ArchiveReader(path: path)
            let entries = try readAll(reader)
            #expect(reader.filterName == filter)
            try Self.checkSourceTree(entries)
        }

        @Test func readsGnuTarOutputFromAPipe() throws {
            let tree = try SourceTree()
            let pipe = Pipe()
            let tar = Process()
            tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            tar.arguments = ["tar", "-czf", "-", "src"]
            tar.currentDirectoryURL = URL(fileURLWithPath: tree.dir.path)
            tar.standardOutput = pipe
            try tar.run()
            let reader = try ArchiveReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor)
            let entries = try readAll(reader)
            tar.waitUntilExit()
            #expect(tar.terminationStatus == 0)
            #expect(reader.filterName == "gzip")
            try Self.checkSourceTree(entries)
        }

        @Test func readsZipMadeByInfoZip() throws {
            let tree = try SourceTree()
            let path = tree.dir.file("info.zip")
            let zip = try run(["zip", "-q", "-r", "--symlinks", path, "src"], in: tree.dir.path)
            #expect(zip.status == 0, "zip: \(zip.stderr)")
            let reader = try ArchiveReader(path: path)
            let entries = try readAll(reader)
            #expect(reader.formatName?.hasPrefix("ZIP") == true)
            let byPath = Dictionary(entries.map { ($0.header.path, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(byPath["src/"]?.header.type == .directory)
            #expect(byPath["src/run.sh"]?.header.permissions == 0o755)
            #expect(byPath["src/run.sh"]?.data == Array("#!/bin/sh\n".utf8))
            #expect(byPath["src/ln"]?.header.type == .symlink)
            #expect(byPath["src/ln"]?.header.symlinkTarget == "run.sh")
            #expect(byPath["src/日本/é $(x).txt"]?.data == Array("é\n".utf8))
            #expect(byPath["src/" + SourceTree.longName]?.data == Array("long\n".utf8))
        }

        @Test(arguments: [true, false])
        func readsZipMadeByPython(throughPipe: Bool) throws {
            let dir = try TempDirectory()
            let path = dir.file("py.zip")
            try python(
                """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], 'w') as z:
                    d = zipfile.ZipInfo('docs/'); d.external_attr = (0o40755 << 16) | 0x10; z.writestr(d, b'')
                    f = zipfile.ZipInfo('docs/日本 deflated.txt', (2020, 1, 2, 3, 4, 6)); f.external_attr = 0o100600 << 16
                    f.compress_type = zipfile.ZIP_DEFLATED; z.writestr(f, b'deflated ' * 1000)
                    s = zipfile.ZipInfo('stored.bin'); s.external_attr = 0o100755 << 16
                    s.compress_type = zipfile.ZIP_STORED; z.writestr(s, bytes(range(256)))
                """, [path])
            let entries: [ReadEntry]
            if throughPipe {
                let pipe = Pipe()
                let cat = Process()
                cat.executableURL = URL(fileURLWithPath: "/bin/cat")
                cat.arguments = [path]
                cat.standardOutput = pipe
                try cat.run()
                entries = try readAll(try ArchiveReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor))
                cat.waitUntilExit()
            } else {
                entries = try readAll(try ArchiveReader(path: path))
            }
            #expect(entries.map(\.header.path) == ["docs/", "docs/日本 deflated.txt", "stored.bin"])
            #expect(entries.map(\.header.type) == [.directory, .file, .file])
            #expect(entries[1].data == Array(String(repeating: "deflated ", count: 1000).utf8))
            #expect(entries[2].data == (0...255).map { UInt8($0) })
            if !throughPipe {
                // Modes live in the central directory, which only a seekable reader sees.
                #expect(entries.map(\.header.permissions) == [0o755, 0o600, 0o755])
            }
        }

        @Test(arguments: ["gnu", "pax"])
        func sparseMembersReadBackWithTheirHoles(format: String) throws {
            let dir = try TempDirectory()
            let file = dir.file("sparse.img")
            let size = 3 << 20
            let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(fd >= 0)
            #expect(pwrite(fd, "hello", 5, 1 << 20) == 5)
            #expect(ftruncate(fd, off_t(size)) == 0)
            close(fd)
            let tar = try run(
                ["tar", "--format=" + format, "--sparse", "-cf", "sparse.tar", "sparse.img"], in: dir.path)
            #expect(tar.status == 0, "tar: \(tar.stderr)")

            // Far smaller than the file: tar stored a sparse map, so the reader must fill the holes.
            #expect(try bytes(of: dir.file("sparse.tar")).count < 100_000)

            let reader = try ArchiveReader(path: dir.file("sparse.tar"))
            let header = try #require(try reader.nextEntry())
            #expect(header.path == "sparse.img")
            #expect(header.size == Int64(size))
            var expected = [UInt8](repeating: 0, count: size)
            expected.replaceSubrange((1 << 20)..<((1 << 20) + 5), with: Array("hello".utf8))
            var data: [UInt8] = []
            try reader.readData { data.append(contentsOf: $0) }
            #expect(data.summary == expected.summary)
        }

        /// Checks the entries of `SourceTree` as GNU tar stored them (readdir order, so by path).
        static func checkSourceTree(_ entries: [ReadEntry]) throws {
            let byPath = Dictionary(entries.map { ($0.header.path, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(entries.count == 8, "\(entries.map(\.header.path))")
            #expect(byPath["src/"]?.header.type == .directory)
            #expect(byPath["src/日本/"]?.header.type == .directory)
            #expect(byPath["src/run.sh"]?.header.permissions == 0o755)
            #expect(byPath["src/run.sh"]?.data == Array("#!/bin/sh\n".utf8))
            #expect(byPath["src/ln"]?.header.type == .symlink)
            #expect(byPath["src/ln"]?.header.symlinkTarget == "run.sh")
            #expect(byPath["src/日本/é $(x).txt"]?.data == Array("é\n".utf8))
            #expect(byPath["src/" + SourceTree.longName]?.data == Array("long\n".utf8))
            // Whichever of the two names tar met first holds the data; the other links to it.
            let pair = [byPath["src/a b.txt"], byPath["src/hard"]].compactMap { $0 }
            #expect(pair.count == 2)
            let file = try #require(pair.first { $0.header.type == .file })
            let link = try #require(pair.first { $0.header.type == .hardlink })
            #expect(file.data == Array("spaces\n".utf8))
            #expect(file.header.permissions == 0o640)
            #expect(link.header.hardlinkTarget == file.header.path)
            #expect(entries.allSatisfy { $0.header.uid == 0 && $0.header.gid == 0 })
        }
    }
}
