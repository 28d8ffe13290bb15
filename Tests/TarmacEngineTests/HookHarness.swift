import Foundation
import TarmacEngine
import TarmacTestSupport

/// A temporary deployment directory where tests write hook scripts and run rendered hook
/// programs with the real `/bin/sh`.
struct HookHarness {
    let root: String
    var archive: String { root + "/deployment-archive" }
    var scriptsLog: String { root + "/logs/scripts.log" }
    var aggregateLog: String { root + "/deployment-logs/tarmac-deployments.log" }

    init() throws {
        root = try TestPaths.temporaryDirectory("hook")
        // Readable by a runas user: temporary directories may be created 0700.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
    }

    /// Writes `location` under the archive and returns the script entry for it.
    @discardableResult
    func script(
        _ location: String, _ contents: String, mode: Int = 0o755, timeout: Int = 20, runas: String? = nil
    ) throws -> HookRun.Script {
        let path = archive + "/" + location
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return HookRun.Script(path: path, location: location, timeout: timeout, runas: runas)
    }

    func run(_ scripts: [HookRun.Script], environment: [String: String] = [:], event: String = "ApplicationStart")
        -> HookRun
    {
        HookRun(
            event: event, deploymentID: "d-TEST0001", scripts: scripts, environment: environment,
            scriptsLog: scriptsLog, aggregateLog: aggregateLog)
    }

    /// Runs the rendered program with `/bin/sh`, with `callerEnvironment` added to the test
    /// process's environment (to prove nothing of it reaches the scripts).
    func execute(_ run: HookRun, callerEnvironment: [String: String] = [:]) throws -> HookOutcome {
        let program = root + "/program.sh"
        try HookProgram.render(run).description.write(toFile: program, atomically: true, encoding: .utf8)
        let started = Date()
        let output = try readAll("/bin/sh", [program], environment: callerEnvironment)
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            ProgramLine.parse($0)
        }
        return HookOutcome(
            lines: lines, stderr: output.stderr, seconds: Date().timeIntervalSince(started),
            result: HookProgram.result(for: run, from: lines))
    }

    func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Reads both streams to their end without waiting for the process itself: Foundation's
    /// `Process` only reaps a child once every descendant (a hook's daemon) has exited.
    /// After 30 s the program's process group (Foundation starts the child as a group
    /// leader) is killed, so a broken program fails the test instead of hanging it.
    private func readAll(_ executable: String, _ arguments: [String], environment: [String: String]) throws
        -> (stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = process.processIdentifier
        let safety = DispatchWorkItem { kill(-group, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: safety)
        defer { safety.cancel() }
        nonisolated(unsafe) var errData = Data()
        let reading = DispatchGroup()
        reading.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            reading.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        return (String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// What one run of a hook program printed, and how long it took.
struct HookOutcome {
    var lines: [ProgramLine]
    var stderr: String
    var seconds: Double
    var result: HookResult

    var stdoutLines: [String] { lines.compactMap { if case .output(.stdout, let text) = $0 { text } else { nil } } }
    var stderrLines: [String] { lines.compactMap { if case .output(.stderr, let text) = $0 { text } else { nil } } }
    var notes: [String] { lines.compactMap { if case .note(let text) = $0 { text } else { nil } } }
    var statuses: [HookResult.Status] { result.scripts.map(\.status) }
}
