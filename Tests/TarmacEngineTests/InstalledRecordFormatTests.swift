import Foundation
import TarmacCore
import TarmacTestSupport
import Testing

@testable import TarmacEngine

/// The installed record names no index: an entry's index is its position, counted by the
/// reader, so a file added or removed changes one line of the record (and of the program that
/// writes it). Records of earlier versions, with the index first on each line, read alike.
@Suite("Installed record: lines without an index")
struct InstalledRecordFormatTests {
    /// The earlier versions' text of `record`: each entry line with its index after the name.
    static func indexed(_ record: InstalledRecord) -> String {
        var index = 0
        return record.text.split(separator: "\n").map { line in
            guard !line.hasPrefix("t_dest ") else { return String(line) }
            defer { index += 1 }
            let name = line.prefix(while: { $0 != " " })
            return "\(name) \(index)" + line.dropFirst(name.count)
        }.joined(separator: "\n") + "\n"
    }

    @Test func recordsOfEitherFormReadAlike() throws {
        let record = InstalledRecord(
            destinations: ["/opt/app"],
            entries: [
                .file(path: "/opt/app/a b", sha256: "ab", mode: "644", uid: "0", gid: "0", size: "3", mtime: "9"),
                .link(path: "/opt/app/l", target: "a b"),
                .directory(path: "/opt/app/d", mode: "755", uid: "0", gid: "0"),
            ])
        #expect(!record.text.contains("t_f 0") && record.text.contains("t_f '/opt/app/a b' 'ab' "), "\(record.text)")
        let old = Self.indexed(record)
        #expect(old.contains("t_f 0 '/opt/app/a b'") && old.contains("t_l 1 ") && old.contains("t_d 2 "), "\(old)")
        #expect(InstalledRecord.parse(record.text) == record)
        #expect(InstalledRecord.parse(old) == record)
        #expect(InstalledRecord.parse("t_l '/x'\n") == nil && InstalledRecord.parse("t_d '/x' 755\n") == nil)
    }

    /// One added file changes one line of the record's text.
    @Test func anAddedFileChangesOneLine() {
        let files = (0..<50).map {
            InstalledRecord.Entry.file(
                path: "/opt/app/f\($0)", sha256: "ab", mode: "644", uid: "0", gid: "0", size: "1", mtime: "1")
        }
        var more = files
        more.insert(
            .file(path: "/opt/app/new", sha256: "cd", mode: "644", uid: "0", gid: "0", size: "1", mtime: "1"), at: 3)
        let before = Set(InstalledRecord(destinations: ["/opt/app"], entries: files).text.split(separator: "\n"))
        let after = InstalledRecord(destinations: ["/opt/app"], entries: more).text.split(separator: "\n")
        #expect(after.filter { !before.contains($0) } == ["t_f '/opt/app/new' 'cd' '644' '0' '0' '1' '1'"])
    }

    /// `tarmac verify`'s helpers on real files find the same drift, by the same indices, in a
    /// record of either form.
    @Test func driftOnRealFilesIsTheSameForEitherForm() throws {
        let dir = try TestPaths.temporaryDirectory("installed-format")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = Data("abc".utf8)
        for name in ["same", "mode", "content"] {
            try text.write(to: URL(fileURLWithPath: dir + "/" + name))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir + "/" + name)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir + "/mode")
        try Data("abd".utf8).write(to: URL(fileURLWithPath: dir + "/content"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "elsewhere")
        try FileManager.default.createDirectory(atPath: dir + "/dir", withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/dir")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/same")
        let mtime = String(Int((attributes[.modificationDate] as! Date).timeIntervalSince1970))
        let id = (String(getuid()), String(getgid()))
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  // of "abc"
        let record = InstalledRecord(
            destinations: [],
            entries: [
                .file(path: dir + "/same", sha256: sha, mode: "644", uid: id.0, gid: id.1, size: "3", mtime: mtime),
                .file(path: dir + "/mode", sha256: sha, mode: "644", uid: id.0, gid: id.1, size: "3", mtime: mtime),
                .file(path: dir + "/content", sha256: sha, mode: "644", uid: id.0, gid: id.1, size: "3", mtime: "1"),
                .file(path: dir + "/gone", sha256: sha, mode: "644", uid: id.0, gid: id.1, size: "3", mtime: mtime),
                .link(path: dir + "/link", target: "there"),
                .directory(path: dir + "/dir", mode: "700", uid: id.0, gid: id.1),
            ])
        func drift(_ recordText: String) throws -> [String] {
            let file = dir + "/record"
            try Data(recordText.utf8).write(to: URL(fileURLWithPath: file))
            let program = "exec 3>&1\nt_full=0\n" + DriftProgram.helpers().description + ". \(ShellQuote.sh(file))\n"
            let result = try runCommand("/bin/sh", ["-c", program])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        let new = try drift(record.text)
        #expect(
            new == [
                "@fact drift 1 mode 600", "@fact drift 2 content", "@fact missing 3", "@fact drift 4 content",
                "@fact drift 5 mode 755",
            ], "\(new)")
        #expect(try drift(Self.indexed(record)) == new)
    }
}
