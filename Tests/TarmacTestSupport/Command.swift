import Foundation

/// What a finished command said.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program synchronously with arguments (no shell), capturing both streams.
@discardableResult
public func runCommand(
    _ executable: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String] = [:], check: Bool = false
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Drain both pipes concurrently so a chatty command cannot block on a full pipe.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    let result = CommandResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
    if check && result.status != 0 {
        throw CommandFailure(command: ([executable] + arguments).joined(separator: " "), result: result)
    }
    return result
}

/// A command that was expected to succeed and did not.
public struct CommandFailure: Error, CustomStringConvertible {
    public var command: String
    public var result: CommandResult
    public var description: String { "\(command) exited \(result.status): \(result.stderr)" }
}

/// Where things are: the package, its fixtures and the built binary.
public enum TestPaths {
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var fixtures: String { packageRoot + "/Fixtures" }

    /// The `tarmac` binary `swift build` made (debug unless TARMAC_BINARY says otherwise).
    public static var tarmac: String {
        ProcessInfo.processInfo.environment["TARMAC_BINARY"] ?? packageRoot + "/.build/debug/tarmac"
    }

    /// A new empty directory under the system temp dir.
    public static func temporaryDirectory(_ label: String = "test") throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tarmac-\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
