import Foundation
import Subprocess
import SystemPackage

/// A command of the user's run on this machine with `sh -c` (a group's traffic control):
/// its exit status is a result, its output is kept for the message.
public enum LocalCommand {
    /// How the command ended.
    public struct Outcome: Sendable {
        public var status: Int32
        /// Standard output and error, the last 64 KiB of each.
        public var output: String
    }

    /// Runs `command` with this process's environment plus `environment`.
    public static func run(_ command: String, environment: [String: String]) async throws -> Outcome {
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            .path(FilePath("/bin/sh")), arguments: ["-c", command], environment: .inherit.updating(overrides),
            input: .none, output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        let text = [result.standardOutput, result.standardError].joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return Outcome(status: status, output: text)
    }
}
