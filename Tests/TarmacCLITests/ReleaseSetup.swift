import Foundation
import TarmacTestSupport

/// What the release tests need: the release binary and the minimal Debian roots.
enum ReleaseSetup {
    static let systems = ["debian-11", "debian-12", "debian-13"]

    /// TARMAC_REQUIRE_FLEET=1 (CI): a missing precondition fails the tests instead of skipping them.
    static var required: Bool { ProcessInfo.processInfo.environment["TARMAC_REQUIRE_FLEET"] == "1" }

    static var rootsDirectory: String {
        ProcessInfo.processInfo.environment["TARMAC_ROOTS_DIR"] ?? "/var/cache/tarmac-test/roots"
    }

    static var distDirectory: String { TestPaths.packageRoot + "/dist" }

    /// Everything is there: root, the binary (or the dist tarball), and every root.
    static var ready: Bool {
        getuid() == 0
            && (ProcessInfo.processInfo.environment["TARMAC_RELEASE_BINARY"] != nil
                || FileManager.default.fileExists(atPath: distDirectory + "/SHA256SUMS"))
            && systems.allSatisfy { (try? root($0)) != nil }
    }

    /// A root's directory, or an error saying what is missing.
    static func root(_ system: String) throws -> String {
        let path = rootsDirectory + "/" + system
        guard FileManager.default.fileExists(atPath: path + "/etc/debian_version") else {
            throw SetupMissing("no Debian root at \(path) (built by Fixtures/fleet/roots.sh; see TARMAC_ROOTS_DIR)")
        }
        return path
    }

    /// TARMAC_RELEASE_BINARY, else bin/tarmac of the tarball that dist/SHA256SUMS names, after
    /// `sha256sum -c` (extracted once per test process).
    static func binary() throws -> String {
        guard getuid() == 0 else { throw SetupMissing("the release tests need root (chroot, mounts)") }
        if let path = ProcessInfo.processInfo.environment["TARMAC_RELEASE_BINARY"] { return path }
        return try extracted.get()
    }

    static func version() throws -> String {
        try runCommand(try binary(), ["--version"], check: true).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let extracted: Result<String, any Error> = Result { try extractDist() }

    private static func extractDist() throws -> String {
        let sums = distDirectory + "/SHA256SUMS"
        guard let listing = try? String(contentsOfFile: sums, encoding: .utf8),
            let tarball = listing.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        else { throw SetupMissing("no \(sums): run make dist, or set TARMAC_RELEASE_BINARY") }
        try runCommand("sha256sum", ["-c", "--quiet", "SHA256SUMS"], in: distDirectory, check: true)
        let directory = try TestPaths.temporaryDirectory("release")
        try runCommand("tar", ["-xzf", distDirectory + "/" + tarball, "-C", directory], check: true)
        let top = String(tarball.dropLast(".tar.gz".count))
        return directory + "/" + top + "/bin/tarmac"
    }
}

/// A precondition of the release tests that this machine does not meet.
struct SetupMissing: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
