import Foundation
import Subprocess
import SystemPackage

/// A failed `git` invocation: the command, its exit status and what git said.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public var arguments: [String]
    public var status: String
    public var stderr: String

    public var description: String {
        let said = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "git \(arguments.joined(separator: " ")) failed (\(status))" + (said.isEmpty ? "" : ": \(said)")
    }
}

/// Runs `git` with a clean, pinned environment; argv only, never a shell.
///
/// Every inherited `GIT_*` variable is dropped (a post-commit hook passes a relative
/// `GIT_INDEX_FILE` and a frozen author date), output is in the C locale, prompts and
/// optional locks are off, and pathspecs are literal so a file named `*` is just a name.
struct GitCommand: Sendable {
    let directory: String
    var extraEnvironment: [String: String] = [:]

    static let outputLimit = 256 * 1024 * 1024

    /// git, looked up on PATH once. Subprocess's `.name("git")` spawns a child for every PATH
    /// directory until one holds git: a failed fork per directory before /usr/bin, every call.
    static let executable: Executable = {
        let search = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in search.split(separator: ":") where directory.hasPrefix("/") {
            var info = stat()
            let candidate = "\(directory)/git"
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return .path(FilePath(candidate))
            }
        }
        return .name("git")
    }()

    var arguments: [String] {
        ["--no-pager", "--literal-pathspecs", "-c", "safe.directory=\(directory)", "-C", directory]
    }

    var environment: Environment {
        var env: [Environment.Key: String] = [:]
        for (key, value) in ProcessInfo.processInfo.environment where !key.hasPrefix("GIT_") {
            if let k = Environment.Key(rawValue: key) { env[k] = value }
        }
        env["LC_ALL"] = "C"
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_OPTIONAL_LOCKS"] = "0"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        for (key, value) in extraEnvironment {
            if let k = Environment.Key(rawValue: key) { env[k] = value }
        }
        return .custom(env)
    }

    /// Runs git and returns its stdout; a non-zero exit is a `GitError`.
    func run(_ args: [String], allowFailure: Bool = false) async throws -> (status: Int32, stdout: [UInt8]) {
        let result = try await Subprocess.run(
            GitCommand.executable, arguments: Arguments(arguments + args), environment: environment,
            output: .bytes(limit: GitCommand.outputLimit), error: .bytes(limit: 1024 * 1024))
        let code: Int32
        switch result.terminationStatus {
        case .exited(let c): code = c
        case .signaled(let s): code = 128 + s
        }
        if code != 0 && !allowFailure {
            throw GitError(
                arguments: args, status: "\(result.terminationStatus)",
                stderr: String(decoding: result.standardError, as: UTF8.self))
        }
        return (code, result.standardOutput)
    }

    /// Runs git and returns stdout as text without the trailing newline.
    func text(_ args: [String]) async throws -> String {
        let out = try await run(args).stdout
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// Runs git with stdout going to `fd` (closed once git has it); returns when git exits.
    func stream(_ args: [String], to fd: Int32) async throws {
        let result = try await Subprocess.run(
            GitCommand.executable, arguments: Arguments(arguments + args), environment: environment,
            output: .fileDescriptor(FileDescriptor(rawValue: fd), closeAfterSpawningProcess: true),
            error: .bytes(limit: 1024 * 1024))
        guard result.terminationStatus.isSuccess else {
            throw GitError(
                arguments: args, status: "\(result.terminationStatus)",
                stderr: String(decoding: result.standardError, as: UTF8.self))
        }
    }
}
