import Crypto
import Foundation
import Synchronization
import TarmacTestSupport
import Testing

@testable import TarmacSSH

/// The edit of a program's text against the last one a host keeps: exact reconstruction in
/// Swift, and on a real `sh` with coreutils, as a host does it.
struct ProgramEditTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func numbered(_ count: Int, tag: String = "") -> [String] {
        (0..<count).map { "t_record '/opt/app/file-\($0).txt'\(tag)\n" }
    }

    @Test func rebuildsTheTargetFromTheBase() throws {
        let base = numbered(200)
        var changed = base
        changed[0] = "# tarmac: install deployment d-NEW\n"
        changed[120] = "t_record '/opt/app/it''s changed'\n"
        changed.remove(at: 50)
        changed.insert(contentsOf: ["one more\n", "and another\n"], at: 170)
        changed.append("printf '@done 0\\n' >&3")  // no newline at the end
        let edit = try #require(ProgramEdit(from: bytes(base.joined()), to: bytes(changed.joined()), minimumCopy: 0))
        #expect(edit.apply(to: bytes(base.joined())) == bytes(changed.joined()))
        let inserted = edit.pieces.reduce(0) { sum, piece in
            if case .insert(let bytes) = piece { sum + bytes.count } else { sum }
        }
        // Only the new words are carried (line 120 keeps its `t_record `).
        #expect(
            inserted
                == [
                    "# tarmac: install deployment d-NEW\n", "'/opt/app/it''s changed'\n",
                    "one more\n", "and another\n", "printf '@done 0\\n' >&3",
                ].joined().utf8.count)
    }

    /// One changed word in a line of a thousand quoted paths (Install's keep checks) costs that
    /// word, not the line.
    @Test func aChangedWordInALongLineCostsTheWord() throws {
        let paths = (0..<1_000).map { "'./app/file-\($0).txt'" }.joined(separator: " ")
        let base = bytes("t_keep_check 0 '/opt' '41:319:15:0:0:41ed:600:1796596035.775611785' \(paths)\n")
        let target = bytes("t_keep_check 0 '/opt' '41:319:15:0:0:41ed:600:1796599999.123456789' \(paths)\n")
        let edit = try #require(ProgramEdit(from: base, to: target, minimumCopy: 0))
        #expect(edit.apply(to: base) == target)
        let inserted = edit.pieces.reduce(0) { sum, piece in
            if case .insert(let bytes) = piece { sum + bytes.count } else { sum }
        }
        #expect(inserted == "'41:319:15:0:0:41ed:600:1796599999.123456789' ".utf8.count)
    }

    /// Copies shorter than `minimumCopy` go as inserts (each copy is a process on the host);
    /// longer ones stay copies, and the text rebuilds exactly either way.
    @Test func shortCopiesGoAsInserts() throws {
        let base = numbered(400)
        var target = base
        for line in [10, 12, 14, 300] { target[line] = "changed \(line)\n" }
        let (old, new) = (bytes(base.joined()), bytes(target.joined()))
        func copies(_ edit: ProgramEdit) -> [Int] {
            edit.pieces.compactMap { if case .copy(_, let count) = $0 { count } else { nil } }
        }
        let exact = try #require(ProgramEdit(from: old, to: new, minimumCopy: 0))
        let coalesced = try #require(ProgramEdit(from: old, to: new))
        #expect(copies(exact).filter { $0 < 2048 }.count == 6, "\(copies(exact))")  // words of lines 0 to 14
        #expect(copies(coalesced).count == 2 && copies(coalesced).allSatisfy { $0 >= 2048 }, "\(copies(coalesced))")
        #expect(exact.apply(to: old) == new && coalesced.apply(to: old) == new)
        let inserts = coalesced.pieces.filter { if case .insert = $0 { true } else { false } }
        #expect(inserts.count == 2, "lines 0 to 14 are one insert, the short copies among them")
    }

    @Test func edgeCases() throws {
        let cases: [(String, String)] = [
            ("", ""), ("", "a\nb\n"), ("a\nb\n", ""), ("a\nb\n", "a\nb\n"), ("a", "a\n"), ("a\n", "a"),
            ("x\ny\nz\n", "z\ny\nx\n"), ("same\n", "other\n"), ("é\n€\n", "€\né\n"),
        ]
        for (base, target) in cases {
            let edit = try #require(ProgramEdit(from: bytes(base), to: bytes(target)), "\(base) → \(target)")
            #expect(edit.apply(to: bytes(base)) == bytes(target), "\(base) → \(target)")
        }
    }

    @Test func randomEditsRebuildExactly() throws {
        var random = SplitMix(seed: 0x7a_72_6d_61_63)
        for round in 0..<300 {
            let base = (0..<Int(random.next() % 60)).map { _ in "line \(random.next() % 12)\n" }
            var target = base
            for _ in 0..<Int(random.next() % 8) {
                switch random.next() % 3 {
                case 0 where !target.isEmpty: target.remove(at: Int(random.next() % UInt64(target.count)))
                case 1: target.insert("new \(random.next() % 5)\n", at: Int(random.next() % UInt64(target.count + 1)))
                default:
                    if !target.isEmpty { target[Int(random.next() % UInt64(target.count))] = "swapped\n" }
                }
            }
            let edit = try #require(ProgramEdit(from: bytes(base.joined()), to: bytes(target.joined())))
            #expect(edit.apply(to: bytes(base.joined())) == bytes(target.joined()), "round \(round)")
        }
    }

    @Test func givesUpBeyondTheEditLimit() {
        let base = numbered(100).joined()
        let target = numbered(100, tag: " # changed").joined()
        #expect(ProgramEdit(from: bytes(base), to: bytes(target), maxEdits: 150) == nil)
        // Each line: one word dropped, three added.
        #expect(ProgramEdit(from: bytes(base), to: bytes(target), maxEdits: 399) == nil)
        #expect(ProgramEdit(from: bytes(base), to: bytes(target), maxEdits: 400) != nil)
    }

    @Test func gzipIsWhatGzipReads() throws {
        let directory = try TestPaths.temporaryDirectory("gzip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = bytes(numbered(3000).joined() + "é€ and no newline")
        let compressed = Gzip.compress(text)
        #expect(compressed.count < text.count / 5)
        try Data(compressed).write(to: URL(fileURLWithPath: directory + "/p.gz"))
        let out = try runCommand(
            "/bin/sh", ["-c", "gzip -dc < \"$1\" | sha256sum", "sh", directory + "/p.gz"], check: true)
        #expect(out.stdout == hex(text) + "  -\n")
        #expect(Gzip.compress([]).count > 0)
    }

    // MARK: on a real sh, as a host runs them

    private func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// A program that reports which text ran and reads its input.
    private func programText(_ version: Int) -> [UInt8] {
        var lines = numbered(400)
        lines[7] = "v=\(version)\n"
        lines.append(
            "printf '@fact version %s\\n' \"$v\"; printf '@fact input %s\\n' \"$(cat)\"; echo ran >> \"$RAN\"\n")
        lines.append("printf '@done 0\\n'\n")
        return bytes(RemoteCommand.prefix + lines.joined().replacingOccurrences(of: "t_record", with: ":"))
    }

    /// Runs `command` under `sh -c` with `payload` then `input` on stdin.
    private func runOnHost(_ command: String, payload: [UInt8], input: String, in directory: String) throws
        -> CommandResult
    {
        let stdin = directory + "/stdin"
        try Data(payload + bytes(input)).write(to: URL(fileURLWithPath: stdin))
        return try runCommand(
            "/bin/sh", ["-c", "sh -c \"$1\" < \"$2\"", "sh", command, stdin],
            environment: ["XDG_CACHE_HOME": directory + "/cache", "RAN": directory + "/ran"])
    }

    /// Hosts that need the same edit at once wait for the first one's, then share it; another
    /// pair is worked out anew, and the oldest pairs go beyond the capacity.
    @Test func anEditIsWorkedOutOnceForAllHostsThatNeedIt() async {
        final class Counter: Sendable {
            let count = Mutex(0)
            func edit(_ from: [UInt8], _ to: [UInt8]) -> ProgramEdit? {
                count.withLock { $0 += 1 }
                return ProgramEdit(from: from, to: to)
            }
            var value: Int { count.withLock { $0 } }
        }
        let edits = SharedEdits(capacity: 2)
        let counter = Counter()
        let (base, target) = (programText(1), programText(2))
        let expected = ProgramEdit(from: base, to: target)
        #expect(expected != nil)
        let results = await withTaskGroup(of: ProgramEdit?.self) { group in
            for _ in 0..<8 { group.addTask { edits.edit(from: base, to: target, compute: counter.edit) } }
            return await group.reduce(into: [ProgramEdit?]()) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == expected })
        #expect(counter.value == 1)
        _ = edits.edit(from: target, to: base, compute: counter.edit)
        _ = edits.edit(from: base, to: programText(3), compute: counter.edit)
        #expect(counter.value == 3)
        _ = edits.edit(from: base, to: target, compute: counter.edit)
        #expect(counter.value == 4, "the oldest pair was let go")
    }

    @Test func theWholeProgramRunsAndIsKept() throws {
        let directory = try TestPaths.temporaryDirectory("kept")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let payload = Gzip.compress(programText(1))
        let result = try runOnHost(
            RemoteCommand.exec(programLength: payload.count, sudo: false, keep: "g-1.install"), payload: payload,
            input: "the input", in: directory)
        #expect(result.stdout == "@fact version 1\n@fact input the input\n@done 0\n", "\(result.stderr)")
        let kept = directory + "/cache/tarmac/programs"
        #expect(FileManager.default.contents(atPath: kept + "/g-1.install").map { [UInt8]($0) } == programText(1))
        let mode = try FileManager.default.attributesOfItem(atPath: kept)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        // Received beside the kept text and kept by a link to it; the program removed its own name.
        #expect(try FileManager.default.contentsOfDirectory(atPath: kept) == ["g-1.install"])
        let links = try FileManager.default.attributesOfItem(atPath: kept + "/g-1.install")[.referenceCount] as? Int
        #expect(links == 1)
    }

    @Test func anEditRunsTheRebuiltProgramOnceAndKeepsIt() throws {
        let directory = try TestPaths.temporaryDirectory("edit")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kept = directory + "/cache/tarmac/programs"
        try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
        try Data(programText(1)).write(to: URL(fileURLWithPath: kept + "/g-1.install"))
        let edit = try #require(ProgramEdit(from: programText(1), to: programText(2)))
        let script = RemoteCommand.editScript(
            edit, name: "g-1.install", target: hex(programText(2)), sudo: false)
        #expect(script.utf8.count < programText(2).count / 10)
        // The kept bytes the new text drops (its start, sent as text, and "v=1") are skipped by
        // the copy after them, in one process: never a `head -c` into /dev/null.
        let lines = script.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("dd skip=") }.count == 1, "\(script)")
        #expect(!lines.contains { $0.hasPrefix("head -c") && $0.hasSuffix(">/dev/null") }, "\(script)")
        let result = try runEdit(in: directory, input: "more input")
        #expect(result.stdout == "@fact version 2\n@fact input more input\n@done 0\n", "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: kept + "/g-1.install").map { [UInt8]($0) } == programText(2))
        #expect(try String(contentsOfFile: directory + "/ran", encoding: .utf8) == "ran\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: kept) == ["g-1.install"])
    }

    /// A kept text that is not the base (changed by anyone, or missing): nothing runs, the
    /// input is drained, and the one miss line is printed.
    @Test func aKeptTextThatIsNotTheBaseIsAMiss() throws {
        for planted in ["changed", "missing"] {
            let directory = try TestPaths.temporaryDirectory("miss")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let kept = directory + "/cache/tarmac/programs"
            try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
            if planted == "changed" {
                // A line put in front shifts every piece the edit copies.
                try Data(bytes("echo injected\n") + programText(1)).write(
                    to: URL(fileURLWithPath: kept + "/g-1.install"))
            }
            let result = try runEdit(in: directory, input: String(repeating: "x", count: 300_000))
            #expect(result.status == RemoteCommand.missStatus, "\(planted): \(result.stderr)")
            #expect(result.stdout == RemoteCommand.missLine + "\n", "\(planted)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/ran"), "\(planted)")
        }
    }

    /// A link planted in the kept text's place is read like the file (the rebuilt text is
    /// checked either way), and replaced, never written through.
    @Test func aLinkInPlaceOfTheKeptTextIsReplacedNotWrittenThrough() throws {
        let directory = try TestPaths.temporaryDirectory("link")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kept = directory + "/cache/tarmac/programs"
        try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
        let victim = directory + "/victim"
        try Data(programText(1)).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: kept + "/g-1.install", withDestinationPath: victim)
        let result = try runEdit(in: directory, input: "in")
        #expect(result.stdout == "@fact version 2\n@fact input in\n@done 0\n", "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: victim).map { [UInt8]($0) } == programText(1))
        let type = try FileManager.default.attributesOfItem(atPath: kept + "/g-1.install")[.type] as? FileAttributeType
        #expect(type == .typeRegular)
    }

    /// Sends the edit from version 1 to version 2 of `programText` to the host in `directory`.
    private func runEdit(in directory: String, input: String) throws -> CommandResult {
        let edit = try #require(ProgramEdit(from: programText(1), to: programText(2)))
        let script = RemoteCommand.editScript(
            edit, name: "g-1.install", target: hex(programText(2)), sudo: false)
        let payload = Gzip.compress(bytes(script))
        return try runOnHost(
            RemoteCommand.execEdit(length: payload.count), payload: payload, input: input, in: directory)
    }
}

/// A small deterministic generator (the tests' random edits repeat run to run).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
