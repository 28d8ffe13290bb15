import Foundation

/// A real Git repository made at test time, with fixed author and dates so commits are
/// the same on every machine. Removed by `remove()`.
public struct GitFixture: Sendable {
    public let root: String

    /// An existing repository (e.g. a clone a test made).
    public init(root: String) {
        self.root = root
    }

    public static let identity: [String: String] = [
        "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Author", "GIT_COMMITTER_EMAIL": "author@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent-tarmac-test-home",
    ]

    /// An empty repository on branch main.
    public static func empty(_ label: String = "repo") throws -> GitFixture {
        let fixture = GitFixture(root: try TestPaths.temporaryDirectory(label))
        try fixture.git("init", "-q", "-b", "main")
        return fixture
    }

    /// A repository holding a copy of `Fixtures/<name>`, committed once.
    public static func copy(_ name: String, date: String = "2026-01-01T00:00:00Z") throws -> GitFixture {
        let fixture = try empty(name)
        try runCommand("/bin/cp", ["-R", TestPaths.fixtures + "/" + name + "/.", fixture.root], check: true)
        try fixture.commitAll("initial", date: date)
        return fixture
    }

    /// Runs git in the repository with the fixed identity; throws when git fails.
    @discardableResult
    public func git(_ args: String..., date: String = "2026-01-01T00:00:00Z") throws -> String {
        try gitArgs(args, date: date)
    }

    @discardableResult
    public func gitArgs(_ args: [String], date: String = "2026-01-01T00:00:00Z") throws -> String {
        var env = GitFixture.identity
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
        return try runCommand("git", args, in: root, environment: env, check: true).stdout
    }

    /// Writes a file (creating directories), optionally executable.
    public func write(_ path: String, _ contents: String, executable: Bool = false) throws {
        try write(path, bytes: Array(contents.utf8), executable: executable)
    }

    public func write(_ path: String, bytes: [UInt8], executable: Bool = false) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: full)
    }

    public func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: target)
    }

    /// Stages everything and commits; returns the new commit id.
    @discardableResult
    public func commitAll(_ message: String, date: String = "2026-01-01T00:00:00Z") throws -> String {
        try gitArgs(["add", "-A"], date: date)
        try gitArgs(["commit", "-q", "-m", message], date: date)
        return try gitArgs(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the built tarmac binary in this repository.
    public func tarmac(_ args: String..., environment: [String: String] = [:]) throws -> CommandResult {
        try runCommand(TestPaths.tarmac, args, in: root, environment: environment)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
