import Foundation
import TarmacTestSupport
import Testing

/// The USB route end to end with the release binary (`make dist`): it signs a bundle here, then
/// runs `tarmac --version` and `tarmac apply --trust-key` inside a chroot of each minimal Debian
/// root with nothing added (Fixtures/release/usb-route.sh), and checks what was installed.
///
/// The binary is TARMAC_RELEASE_BINARY, else the one in the tarball under dist/; the roots are
/// `$TARMAC_ROOTS_DIR/debian-{11,12,13}` (default /var/cache/tarmac-test/roots). Without them
/// the suite is skipped with the reason, and fails when TARMAC_REQUIRE_FLEET=1.
@Suite(
    "release binary on minimal Debian", .serialized,
    .enabled(if: ReleaseSetup.ready || ReleaseSetup.required, "needs root, `make dist` and the Debian roots"))
struct ReleaseTests {
    @Test(
        "tarmac apply of a signed bundle in a chroot of a minimal root",
        arguments: ["debian-11", "debian-12", "debian-13"])
    func usbRoute(system: String) throws {
        let binary = try ReleaseSetup.binary()
        let image = try ReleaseSetup.root(system)
        let repo = try Self.application()
        defer { repo.remove() }
        let work = try TestPaths.temporaryDirectory("usb-\(system)")
        defer { try? FileManager.default.removeItem(atPath: work) }

        try runCommand(
            "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "release", "-f", work + "/release"], check: true)
        let bundle = work + "/app.tar.gz"
        let made = try runCommand(binary, ["bundle", "--sign", work + "/release", "-o", bundle], in: repo.root)
        try #require(made.status == 0, "release tarmac bundle --sign: \(made.stderr)")

        let run = try runCommand(
            "unshare",
            [
                "-m", "--propagation", "private", "sh", TestPaths.fixtures + "/release/usb-route.sh", image,
                work + "/chroot", binary, bundle, work + "/release.pub",
            ])
        let steps = Self.steps(run.stdout)
        #expect(run.status == 0, "apply in \(system) exited \(run.status):\n\(run.stdout)\(run.stderr)")
        #expect(steps["version"] == [try ReleaseSetup.version()], "\(run.stdout)\(run.stderr)")
        #expect(
            steps["files"] == ["./index.html www-data:www-data 640", "./sub/page.html www-data:www-data 640"],
            "\(run.stdout)")
        #expect(steps["hooks"] == ["AfterInstall www-data", "BeforeInstall root"], "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: image + "/srv/usb-app"), "the cached root was written")
    }

    /// "The same commit and format always give the same bytes" across builds too: the release
    /// binary links Debian's static libraries (single-threaded libzstd among them), the debug
    /// one the shared ones. A revision bigger than one zstd frame (4 MiB) is compressed on
    /// several workers, so this also checks that tar.zst bytes do not depend on the threads.
    @Test("the release and the debug binary write the same bundle bytes", arguments: ["tar.gz", "tar.zst", "tar.xz"])
    func sameBytesAsTheDebugBuild(format: String) throws {
        let binary = try ReleaseSetup.binary()
        let repo = try Self.application()
        defer { repo.remove() }
        var text = ""
        var state: UInt64 = 0x7461_726d_6163
        while text.utf8.count < 9 << 20 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text += "line \(state >> 40) of a large page\n"
        }
        try repo.write("site/large.html", text)
        try repo.commitAll("a revision of several zstd frames")
        let work = try TestPaths.temporaryDirectory("same-bytes")
        defer { try? FileManager.default.removeItem(atPath: work) }
        var digests: [String] = []
        for (name, tarmac) in [("release", binary), ("debug", TestPaths.tarmac)] {
            let output = work + "/\(name).\(format)"
            let made = try runCommand(tarmac, ["bundle", "--format", format, "-o", output], in: repo.root)
            try #require(made.status == 0, "\(name) tarmac bundle --format \(format): \(made.stderr)")
            digests.append(try runCommand("sha256sum", [output], check: true).stdout.prefix(64).description)
        }
        #expect(digests[0] == digests[1], "\(format): release \(digests[0]), debug \(digests[1])")
    }

    /// An application with files, permissions (owner, group, mode) and two hooks, one with runas.
    static func application() throws -> GitFixture {
        let repo = try GitFixture.empty("usb-app")
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: site
                destination: /srv/usb-app
            permissions:
              - object: /srv/usb-app
                pattern: "**"
                owner: www-data
                group: www-data
                mode: "0640"
                type: [file]
            hooks:
              BeforeInstall:
                - location: scripts/record.sh
              AfterInstall:
                - location: scripts/record.sh
                  runas: www-data

            """)
        try repo.write(
            "scripts/record.sh", "#!/bin/sh\nid -un > \"/tmp/usb-app-hook-$LIFECYCLE_EVENT\"\n",
            executable: true)
        try repo.write("site/index.html", "carried across the gap\n")
        try repo.write("site/sub/page.html", "second page\n")
        try repo.commitAll("usb app")
        return repo
    }

    /// The script's output by step: the lines after each `== <step>` line.
    static func steps(_ output: String) -> [String: [String]] {
        var steps: [String: [String]] = [:]
        var current = ""
        for line in output.split(separator: "\n").map(String.init) {
            if line.hasPrefix("== ") {
                current = String(line.dropFirst(3))
                steps[current] = []
            } else {
                steps[current, default: []].append(line)
            }
        }
        return steps
    }
}
