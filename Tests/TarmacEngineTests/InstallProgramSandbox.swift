import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// What one host program did: its protocol lines, exit status and stderr.
struct ProgramRun {
    var lines: [ProgramLine]
    var status: Int32
    var stderr: String

    /// The `@done` status, or nil when the program never printed it.
    var done: Int32? {
        if case .done(let status) = lines.last { return status }
        return nil
    }

    var notes: [String] { lines.compactMap { if case .note(let text) = $0 { text } else { nil } } }
    var steps: [String] {
        lines.compactMap { if case .step(let name, let status) = $0 { "\(name) \(status)" } else { nil } }
    }
}

/// A private `/opt` for host programs: a temporary directory bind-mounted onto `/opt` in a
/// mount namespace of its own (`unshare -m`), so programs install to real absolute paths
/// while the files stay visible to the test under `root`. Needs root and `unshare`.
struct ProgramSandbox {
    /// The directory that is `/opt` inside the sandbox.
    let root: String

    /// Why sandboxed tests cannot run here, or nil when they can.
    static var unavailableReason: String? { Requirement.mountNamespaces }

    init() throws {
        try Requirement.check(Self.unavailableReason)
        root = try TestPaths.temporaryDirectory("opt")
    }

    /// The test-side path of a path under `/opt` inside the sandbox.
    func host(_ path: String) -> String {
        precondition(path.hasPrefix("/opt/"))
        return root + path.dropFirst(4)
    }

    /// Runs `script` with `/bin/sh` inside the sandbox; `stdin` is a test-side file (default
    /// /dev/null); `prepare` is shell run first inside the namespace (e.g. a small tmpfs mount).
    func run(_ script: ShellScript, stdin: String = "/dev/null", prepare: String = ":") throws -> ProgramRun {
        let program = try TestPaths.temporaryDirectory("program") + "/program.sh"
        try script.description.write(toFile: program, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: (program as NSString).deletingLastPathComponent) }
        let driver = "mount --bind \"$1\" /opt && cd /opt && { \(prepare); } && exec /bin/sh \"$2\" < \"$3\""
        let result = try runCommand(
            "/usr/bin/unshare", ["-m", "/bin/sh", "-c", driver, "sandbox", root, program, stdin])
        var text = result.stdout
        if text.hasSuffix("\n") { text.removeLast() }
        let lines =
            text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(ProgramLine.parse)
        return ProgramRun(lines: lines, status: result.status, stderr: result.stderr)
    }

    /// Writes a file at a sandbox path, making its directories.
    func write(_ path: String, _ contents: String, mode: Int = 0o644) throws {
        let full = host(path)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
    }

    func read(_ path: String) -> String? {
        try? String(contentsOfFile: host(path), encoding: .utf8)
    }

    func exists(_ path: String) -> Bool {
        stat(path) != nil
    }

    /// lstat of a sandbox path.
    func stat(_ path: String) -> Foundation.stat? {
        var info = Foundation.stat()
        return lstat(host(path), &info) == 0 ? info : nil
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Runs a shell command on the test machine and returns its stdout; throws on failure.
@discardableResult
func shell(_ command: String) throws -> String {
    try runCommand("/bin/sh", ["-c", command], check: true).stdout
}

extension Trait where Self == ConditionTrait {
    /// Runs the test where the sandbox works (root, mount namespaces); elsewhere skips it saying
    /// why, or with `TARMAC_REQUIRE_FLEET=1` runs it so that `ProgramSandbox()` fails it.
    static var sandboxed: Self { Requirement.trait { ProgramSandbox.unavailableReason } }
}
