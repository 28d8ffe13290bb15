import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// Several records read in one program, each checked as a single read checks it.
@Suite("Host records read together")
struct HostRecordProgramTests {
    static let layout = HostLayout(root: "/opt/tarmac", groupID: "g-web")
    static let directory = "/opt/tarmac/g-web/d-1"
    static let records = [directory + "/a", directory + "/missing", directory + "/b\nline"]

    @Test("each record by its index; one not there has none", .sandboxed)
    func readsEach() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try box.write(Self.records[0], "first\n")
        try box.write(Self.records[2], "third, with\u{0}a NUL\n")
        let run = try box.run(HostRecordProgram.read(Self.records, directories: [Self.directory], layout: Self.layout))
        #expect(run.done == 0, "\(run.stderr)")
        let found = try #require(ReadFileProgram.parseAll(run.lines))
        #expect(found[0] == Array("first\n".utf8))
        #expect(found[1] == nil)
        #expect(found[2] == Array("third, with\u{0}a NUL\n".utf8))
    }

    /// The first of several candidates (the earlier revision's AppSpec names) that exists, in
    /// the same encoding; none is no reading.
    @Test("the first existing candidate, or none", .sandboxed)
    func firstCandidate() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let candidates = ["/opt/app/appspec.yaml", "/opt/app/appspec.yml", "/opt/app/other.yml"]
        try box.write(candidates[1], "version: 0.0\n")
        try box.write(candidates[2], "not this one\n")
        let run = try box.run(ReadFileProgram.render(candidates: candidates))
        let found = try #require(ReadFileProgram.parse(run.lines))
        #expect(found.index == 1 && found.bytes == Array("version: 0.0\n".utf8))
        let none = try box.run(ReadFileProgram.render(candidates: [candidates[0]]))
        #expect(none.lines.contains(.fact(key: "missing", value: "")))
        #expect(ReadFileProgram.parse(none.lines) == nil)
        let cut = run.lines.filter { if case .fact("size", _) = $0 { false } else { true } }
        #expect(ReadFileProgram.parse(cut) == nil, "bytes without their size")
    }

    @Test("output cut short or damaged is no reading at all")
    func parseRefusesCutOutput() {
        let whole: [ProgramLine] = [.fact(key: "found", value: "0"), .fact(key: "size", value: "0 5")]
        #expect(ReadFileProgram.parseAll(whole + [.fact(key: "b64", value: "aGVsbG8=")]) == [0: Array("hello".utf8)])
        #expect(ReadFileProgram.parseAll(whole + [.fact(key: "b64", value: "aGVs")]) == nil, "cut short")
        #expect(ReadFileProgram.parseAll(whole + [.fact(key: "b64", value: "aGVsbG8")]) == nil, "not base64")
        #expect(ReadFileProgram.parseAll(whole) == nil, "no bytes")
        #expect(ReadFileProgram.parseAll([]) == [:])
    }

    /// A record that is a link, or a directory others can write: nothing is read.
    @Test("a planted link or a directory others can write stops the read", .sandboxed)
    func refusesUnsafe() throws {
        for planted in ["link", "writable"] {
            let box = try ProgramSandbox()
            defer { box.remove() }
            try box.write(Self.records[0], "first\n")
            try box.write("/opt/secret", "not a record\n")
            if planted == "link" {
                try FileManager.default.createSymbolicLink(
                    atPath: box.host(Self.records[2]), withDestinationPath: box.host("/opt/secret"))
            } else {
                try FileManager.default.setAttributes(
                    [.posixPermissions: 0o777], ofItemAtPath: box.host(Self.directory))
            }
            let run = try box.run(
                HostRecordProgram.read(Self.records, directories: [Self.directory], layout: Self.layout))
            #expect(run.done == 1, "\(planted)")
            #expect(ReadFileProgram.parseAll(run.lines)?.isEmpty == true, "\(planted): nothing is read")
            #expect(run.steps.contains("root failed"), "\(planted): \(run.steps)")
        }
    }
}
