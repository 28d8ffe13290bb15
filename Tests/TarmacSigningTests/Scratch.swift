import Foundation

/// A temporary directory for one test, with helpers to make keys and run ssh-keygen in it.
final class Scratch {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tarmac-signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The absolute path of a file in the scratch directory.
    func file(_ name: String) -> String { path + "/" + name }

    func write(_ text: String, to name: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }

    /// Makes a key with `ssh-keygen -t TYPE -N PASSPHRASE` and returns its private key path.
    @discardableResult
    func makeKey(_ name: String, type: String = "ed25519", passphrase: String = "", comment: String = "tester@tarmac")
        throws -> String
    {
        var arguments = ["-q", "-t", type, "-N", passphrase, "-C", comment, "-f", file(name)]
        if type == "rsa" { arguments += ["-b", "2048"] }
        let result = try ssh(arguments)
        guard result.status == 0 else { throw ScratchError.keygen(result.stderr) }
        return file(name)
    }

    /// Runs ssh-keygen with the arguments, feeding `stdinFile` (a path) as standard input.
    func ssh(_ arguments: [String], stdinFile: String? = nil) throws -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ssh-keygen"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput =
            try stdinFile.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }
}

enum ScratchError: Error {
    case keygen(String)
}
