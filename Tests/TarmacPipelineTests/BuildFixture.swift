import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacGit
import TarmacPipeline
import TarmacTestSupport

let prepared: Bool = ArchiveLibrary.prepareProcess()

/// A repository whose one commit holds a site and an AppSpec that `build.sh` copies to `dist/`
/// (which `.gitignore` hides, as build output usually is).
struct BuildFixture {
    static let appspec = "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/site\n"
    static let script = """
        set -e
        mkdir -p dist
        sed 's/SOURCE/built/' site/index.html > dist/index.html
        cp deploy/appspec.yml dist/appspec.yml

        """

    let repo: GitFixture
    let commit: String
    /// Where bundles are written: outside the repository, removed by `remove()`.
    let output: String

    init() throws {
        _ = prepared
        repo = try GitFixture.empty("buildrepo")
        try repo.write("site/index.html", "<p>SOURCE</p>\n")
        try repo.write("deploy/appspec.yml", Self.appspec)
        try repo.write("build.sh", Self.script, executable: true)
        try repo.write(".gitignore", "dist/\n")
        commit = try repo.commitAll("site")
        output = try TestPaths.temporaryDirectory("bundles")
    }

    var repository: GitRepository { GitRepository(root: repo.root) }

    func stage(_ commands: [String], timeout: Int? = nil, environment: [String: String] = [:]) -> BuildStage {
        BuildStage(
            repository: repository, commit: commit, build: Pipeline.Build(commands: commands, timeout: timeout),
            environment: environment)
    }

    /// Runs `commands`, bundles `root` of the output to `name` in `output`, removes the workspace.
    func buildAndBundle(_ commands: [String] = ["sh build.sh"], root: String = "dist", name: String = "site.tar.gz")
        async throws -> (BuildResult, BundleOutcome)
    {
        let stage = stage(commands)
        let result = try await stage.run { _ in }
        defer { try? result.workspace.cleanup() }
        var options = BundleOptions()
        options.output = output + "/" + name
        let outcome = try await stage.bundle(
            result, application: "site", settings: BundleSettings(root: root), options: options)
        return (result, outcome)
    }

    func remove() {
        repo.remove()
        try? FileManager.default.removeItem(atPath: output)
    }
}

/// Lines gathered from a callback that may run on another thread.
final class LineLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [BuildLine] = []

    func append(_ line: BuildLine) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }

    var lines: [BuildLine] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    func texts(_ stream: BuildLine.Stream, command: Int = 0) -> [String] {
        lines.filter { $0.stream == stream && $0.command == command }.map(\.text)
    }
}

/// Every member of an archive with its bytes (small test archives only).
func members(_ path: String) throws -> [String: [UInt8]] {
    let reader = try ArchiveReader(path: path)
    var result: [String: [UInt8]] = [:]
    while let header = try reader.nextEntry() {
        var bytes: [UInt8] = []
        try reader.readData { bytes.append(contentsOf: $0) }
        result[header.path.hasSuffix("/") ? String(header.path.dropLast()) : header.path] = bytes
    }
    return result
}

/// True while a process whose whole command line is `commandLine` exists.
func processExists(_ commandLine: String) throws -> Bool {
    let pattern = "^" + commandLine.replacingOccurrences(of: ".", with: "\\.") + "$"
    return try runCommand("pgrep", ["-f", pattern]).status == 0
}

/// Waits up to `seconds` for `condition` to hold; returns whether it did.
func eventually(within seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}

/// A `sleep` argument no other test process uses, to find the sleep by its command line.
func uniqueSleep() -> String {
    "29\(Int.random(in: 0...9)).\(Int.random(in: 100_000...999_999))"
}
