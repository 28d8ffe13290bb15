import Foundation
import TarmacTestSupport
import Testing

/// `tarmac deploy` to a host where Install fails half way: the report, live and in `show`,
/// says what the host has, from what Install's program recorded (issue 11, item 7).
@Suite("tarmac deploy: hostile hosts", .serialized, Fleet.trait())
struct HostileDeployTests {
    @Test func aHalfDoneInstallIsReportedAsTheMixItLeftLiveAndInShow() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try DeployTests.Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit()
        #expect(try project.deploy().status == 0)
        // Revision 2 brings 8 MiB that does not compress; its BeforeInstall hook leaves about
        // 1 MiB free on the host, after the bundle arrived: Install removes revision 1's
        // files, then runs out of space placing revision 2's.
        let noise = (0..<(8 << 20) / 16).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }
        try project.commit(files: ["noise.txt": noise.joined()])
        try project.repo.write(
            "hook.sh",
            """
            #!/bin/sh
            if [ "$LIFECYCLE_EVENT" = BeforeInstall ]; then
                dd if=/dev/zero of=/var/tmp/ballast bs=1M count=$(( $(df -m --output=avail / | tail -1) - 1 )) 2>/dev/null
            fi
            exit 0

            """, executable: true)
        _ = try project.repo.commitAll("revision 2 fills the disk", date: "2026-01-01T00:05:00Z")
        let result = try project.deploy()
        #expect(result.status != 0)
        #expect(result.stderr.contains("failed in Install") || result.stderr.contains("Install"), "\(result.stderr)")
        #expect(!result.stderr.contains("Install did not run"), "\(result.stderr)")
        #expect(result.stderr.contains("has a mix of revisions"), "\(result.stderr)")
        #expect(result.stderr.contains("cleaned up 3 of the earlier revision's 3 paths"), "\(result.stderr)")
        #expect(project.installed(fleet.hosts[0]) == nil, "revision 1's index.html is gone")

        let shown = try DeployFaultTests.newest(project)
        let host = try #require((shown["hosts"] as? [[String: Any]])?.first)
        #expect(host["installed"] as? Bool == false)
        #expect((host["message"] as? String)?.contains("has a mix of revisions") == true, "\(host)")
    }
}
