import Foundation
import TarmacArchive
import Testing

/// Every suite nests here so the whole target runs serially. No test changes process-wide
/// state (umask, TZ, the environment): suites of other targets run alongside in this process.
@Suite(.serialized) struct ArchiveTests {}

/// The locale set-up the CLI does at start-up, run once before any test touches libarchive.
let processPrepared: Bool = ArchiveLibrary.prepareProcess()

/// A fresh directory under the system temp dir, removed again on deinit.
final class TempDirectory {
    let path: String

    init() throws {
        #expect(processPrepared)
        var template = Array((NSTemporaryDirectory() + "/tarmac-archive-tests.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/name`.
    func file(_ name: String) -> String { path + "/" + name }
}

/// The outcome of a finished child process.
struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `arguments` (looked up on PATH) to completion; output goes to files so a chatty child can't block.
@discardableResult
func run(_ arguments: [String], in directory: String? = nil, stdin: FileHandle? = nil) throws -> ProcessResult {
    let scratch = try TempDirectory()
    try writeFile(scratch.file("out"), Data())
    try writeFile(scratch.file("err"), Data())
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let stdin { process.standardInput = stdin }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("out")))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("err")))
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: try Data(contentsOf: URL(fileURLWithPath: scratch.file("out"))),
        stderr: try String(contentsOfFile: scratch.file("err"), encoding: .utf8))
}

/// Runs `python3 -c script args…` and expects success.
@discardableResult
func python(_ script: String, _ arguments: [String]) throws -> ProcessResult {
    let result = try run(["python3", "-c", script] + arguments)
    #expect(result.status == 0, "python3 failed: \(result.stderr)")
    return result
}

/// One entry as read back: its header and all of its data.
struct ReadEntry: Equatable {
    var header: ArchiveEntryHeader
    var data: [UInt8]
}

/// Reads every entry with its data.
func readAll(_ reader: ArchiveReader) throws -> [ReadEntry] {
    var entries: [ReadEntry] = []
    while let header = try reader.nextEntry() {
        var data: [UInt8] = []
        try reader.readData { data.append(contentsOf: $0) }
        entries.append(ReadEntry(header: header, data: data))
    }
    return entries
}

/// Deterministic incompressible-ish bytes (xorshift), so big-file tests compare real content.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

/// The file's bytes.
func bytes(of path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// lstat, or nil when nothing is there.
func fileStatus(_ path: String) -> stat? {
    var status = stat()
    return lstat(path, &status) == 0 ? status : nil
}

extension ReadEntry: CustomStringConvertible {
    /// Short form for failure messages: the header and the data's size, not every byte.
    var description: String { "\(header) + \(data.count) bytes" }
}

/// Length and FNV-1a hash of some bytes: compared instead of the bytes so a failure prints one line.
struct ByteSummary: Equatable, CustomStringConvertible {
    var count: Int
    var hash: UInt64
    var description: String { "\(count) bytes, fnv1a \(String(hash, radix: 16))" }
}

extension Array where Element == UInt8 {
    /// See `ByteSummary`.
    var summary: ByteSummary {
        ByteSummary(count: count, hash: reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
    }
}

/// Creates or replaces the file at `path`; throws when it cannot.
func writeFile(_ path: String, _ contents: Data) throws {
    try contents.write(to: URL(fileURLWithPath: path))
}
