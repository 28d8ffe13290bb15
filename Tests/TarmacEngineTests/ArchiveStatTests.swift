import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

@Suite("Archive stat record and the base the probe reports")
struct ArchiveStatTests {
    static let layout = DeltaRun.layout

    @Test(
        "a full download writes the record: the manifest's digest, then stat of each regular file in order", .sandboxed)
    func fullDownload() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let revision = try DeltaProgramTests.base(fixture)
        let run = try DeltaRun.full(box, fixture, revision, id: "d-1")
        #expect(run.steps == ["retention ok", "bundle ok", "verify ok", "unpack ok"])
        let record = try #require(box.read(Self.layout.archiveStatFile("d-1")))
        #expect(record.hasPrefix("tarmac-archive-stat 1 \(revision.manifestSHA256)\n"))
        let expected = try DeltaRun.expectedRecord(
            box, id: "d-1", files: revision.regularFiles, sha: revision.manifestSHA256)
        #expect(record == expected)
        let lines = record.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == revision.regularFiles.count + 2, "header, one line a file, a final newline")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.split(separator: " ").count == 7 }, "no names")
        let info = try #require(box.stat(Self.layout.archiveStatFile("d-1")))
        #expect(info.st_uid == 0 && info.st_mode & 0o7777 == 0o600)
        #expect(!lines.contains { $0.contains(" 4755 ") || $0.contains(" 666 ") }, "modes are recorded once set")
    }

    @Test("no record without a manifest digest, and none when a listed file is missing", .sandboxed)
    func noRecord() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let bundle = try DownloadProgramTests.makeBundle(gzip: false)
        defer { bundle.remove() }
        let stale = Self.layout.archiveStatFile("d-1")
        try box.write(stale, "tarmac-archive-stat 1 stale\n", mode: 0o600)
        let script = DownloadProgram.render(
            layout: Self.layout, deploymentID: "d-1", source: .localFile(bundle.path), sha256: bundle.sha256,
            delete: [], keepBundle: false, statFiles: ["appspec.yml"])
        let run = try box.run(script)
        #expect(run.done == 0, "\(run.lines) \(run.stderr)")
        #expect(!box.exists(stale), "a bundle without .tarmac/manifest.sha256: the old record is gone, none written")
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let revision = try fixture.revision("r", [("a", .file("a\n"))])
        let full = try fixture.fullBundle(revision)
        let missing = DownloadProgram.render(
            layout: Self.layout, deploymentID: "d-2", source: .localFile(full.path), sha256: full.sha256, delete: [],
            keepBundle: false, statFiles: ["a", "not-in-the-bundle"])
        let second = try box.run(missing)
        #expect(second.done == 0, "\(second.lines) \(second.stderr)")
        #expect(!box.exists(Self.layout.archiveStatFile("d-2")))
        let names = try FileManager.default.contentsOfDirectory(
            atPath: box.host(Self.layout.deploymentDirectory("d-2")))
        #expect(!names.contains { $0.hasPrefix(".archive.stat") }, "no temporary file is left: \(names)")
    }

    @Test("the probe reports the base's manifest digest, hex only", .sandboxed)
    func probe() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fixture = try DeltaFixture()
        defer { fixture.remove() }
        let revision = try fixture.revision("r", [("a", .file("a\n"))])
        try DeltaRun.full(box, fixture, revision, id: "d-1")
        try box.write(Self.layout.lastSuccessfulFile, Self.layout.deploymentDirectory("d-1") + "\n")
        let request = ProbeRequest()
        let probe = ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil)
        let facts = try ProbeProgram.parse(try box.run(probe).lines, request: request)
        #expect(facts.baseManifestSHA256 == revision.manifestSHA256)
        let checksum = box.host(Self.layout.archiveDirectory("d-1") + "/.tarmac/manifest.sha256")
        let hex = revision.manifestSHA256
        for text in [
            hex.uppercased() + "  manifest.json\n", "abc\n", "", "$(touch pwned)", hex + "0  manifest.json\n",
            String(hex.dropLast()) + "  manifest.json\n", hex + "x",
        ] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: checksum))
            let run = try box.run(probe)
            #expect(try ProbeProgram.parse(run.lines, request: request).baseManifestSHA256 == nil, "\(text)")
        }
        for text in [hex, hex + "\n", hex + " "] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: checksum))
            #expect(try ProbeProgram.parse(try box.run(probe).lines, request: request).baseManifestSHA256 == hex)
        }
        try FileManager.default.removeItem(atPath: box.host(Self.layout.archiveDirectory("d-1")))
        #expect(try ProbeProgram.parse(try box.run(probe).lines, request: request).baseManifestSHA256 == nil)
    }

    @Test("the parser takes 64 lowercase hex digits and nothing else")
    func parser() throws {
        let good = String(repeating: "0f", count: 32)
        for (value, expected) in [
            (good, good), (good.uppercased(), nil), (String(good.dropLast()), nil), (good + "0", nil), ("", nil),
            (String(good.dropLast()) + "g", nil),
        ] as [(String, String?)] {
            let facts = try ProbeProgram.parse(
                [.fact(key: "base-manifest-sha256", value: value), .done(status: 0)], request: ProbeRequest())
            #expect(facts.baseManifestSHA256 == expected, "\(value)")
        }
    }

    @Test("@fallback parses to its reason")
    func fallbackLine() {
        #expect(ProgramLine.parse("@fallback base file a b changed") == .fallback("base file a b changed"))
        #expect(ProgramLine.parse("@fallback") == .fallback(""))
        #expect(ProgramLine.parse("fallback x") == .text("fallback x"))
    }

    @Test("layout: the record sits in the deployment directory")
    func layoutPath() {
        #expect(Self.layout.archiveStatFile("d-1") == "/opt/tarmac/g-web/d-1/archive.stat")
    }
}
