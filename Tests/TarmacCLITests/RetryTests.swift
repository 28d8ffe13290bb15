import Foundation
import TarmacTestSupport
import Testing

/// `deploy GROUP --retry d-ID` on the fleet: the failed host alone gets d-ID's bundle again, the
/// new deployment is linked to d-ID, and a changed or missing bundle is refused.
@Suite("tarmac deploy --retry", .serialized, Fleet.trait())
struct RetryTests {
    typealias Project = DeployTests.Project

    /// A revision whose hook fails on a host while that host has `/var/log/<app>.fail` (a marker on
    /// the host, not in the bundle, so the same bundle succeeds once it is removed).
    static func commitFailingOnMarker(_ project: Project) throws {
        try project.repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: app
                destination: /opt/\(project.name)
            hooks:
              ValidateService:
                - location: hook.sh

            """)
        try project.repo.write(
            "hook.sh",
            """
            #!/bin/sh
            echo "$LIFECYCLE_EVENT" >> /var/log/\(project.name).events
            if [ -f /var/log/\(project.name).fail ]; then echo "marker on $TARMAC_HOST_NAME" >&2; exit 3; fi

            """, executable: true)
        try project.repo.write("app/index.html", "revision 1\n")
        _ = try project.repo.commitAll("revision 1")
    }

    static func history(_ project: Project) throws -> [[String: Any]] {
        let result = try project.repo.tarmac("history", "--json")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    static func show(_ project: Project, _ id: String) throws -> [String: Any] {
        let result = try project.repo.tarmac("show", id, "--json")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test func retryDeploysTheSameBundleToOnlyTheFailedHostAndLinksTheDeployments() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        let project = try Project(fleet: fleet, config: "OneAtATime")
        defer { project.repo.remove() }
        try Self.commitFailingOnMarker(project)
        let (good, bad) = (fleet.hosts[0], fleet.hosts[1])
        let marker = fleet.root(of: bad) + "/var/log/\(project.name).fail"
        try Data().write(to: URL(fileURLWithPath: marker))

        // OneAtATime keeps one of two hosts healthy: host1 succeeds, host2 fails, the deployment succeeds.
        let first = try project.deploy()
        #expect(first.status == 0, "\(first.stderr)")
        let failed = try #require(try Self.history(project).first)
        let failedID = try #require(failed["id"] as? String)
        #expect(failed["hosts_succeeded"] as? Int == 1 && failed["hosts_total"] as? Int == 2, "\(failed)")
        #expect(project.events(good) == ["ValidateService"] && project.events(bad) == ["ValidateService"])

        try FileManager.default.removeItem(atPath: marker)
        let retry = try project.deploy("--retry", failedID)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(project.events(good) == ["ValidateService"], "the host that succeeded is left alone")
        #expect(project.events(bad) == ["ValidateService", "ValidateService"])
        #expect(project.installed(bad) == "revision 1\n")

        let retried = try #require(try Self.history(project).first)
        let retryID = try #require(retried["id"] as? String)
        #expect(retryID != failedID)
        #expect(retried["retry_of"] as? String == failedID, "\(retried)")
        let shown = try Self.show(project, retryID)
        #expect(shown["bundle_sha256"] as? String == failed["bundle_sha256"] as? String, "the same bundle")
        #expect((shown["hosts"] as? [[String: Any]])?.map { $0["name"] as? String } == [bad.name], "\(shown)")
        #expect(try project.repo.tarmac("show", retryID).stdout.contains("retrying \(failedID)"))
        #expect(try project.repo.tarmac("history").stdout.contains("retry of \(failedID)"))

        // Every host of the retry succeeded: nothing to retry.
        let nothing = try project.deploy("--retry", retryID)
        #expect(nothing.status == 2 && nothing.stderr.contains("there is nothing to retry"), "\(nothing.stderr)")
        // The kept bundle changed: refused, naming both digests; gone: refused.
        let bundle = try #require(try Self.keptBundles(project).first)
        #expect(try Self.keptBundles(project).count == 1, "the retry kept no second copy")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: bundle))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let changed = try project.deploy("--retry", failedID)
        #expect(
            changed.status == 2 && changed.stderr.contains("has changed since it was deployed"), "\(changed.stderr)")
        try FileManager.default.removeItem(atPath: bundle)
        let gone = try project.deploy("--retry", failedID)
        #expect(gone.status == 2 && gone.stderr.contains("is no longer in .tarmac/artifacts"), "\(gone.stderr)")
        #expect(project.events(bad).count == 2 && project.events(good).count == 1, "no host was touched")
        let unknown = try project.deploy("--retry", "d-NOSUCHONE")
        #expect(unknown.status == 2 && unknown.stderr.contains("no deployment d-NOSUCHONE"), "\(unknown.stderr)")
    }

    /// The bundle files kept under `.tarmac/artifacts`.
    static func keptBundles(_ project: Project) throws -> [String] {
        let root = project.repo.root + "/.tarmac/artifacts"
        let paths = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return paths.map { root + "/" + $0 }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
