import Foundation
import TarmacTestSupport
import Testing

/// `tarmac deploy` to `…Full` systems (with setfacl): owners, modes and ACLs, and a `runas`
/// hook that uses what the ACLs gave its user. Read from outside through the host's root.
@Suite("target systems with acl", .serialized, Fleet.trait(systems: [.debian13Full, .debian11Full]))
struct FullSystemTests {
    typealias Project = TargetSystemTests.Project

    @Test(arguments: [Fleet.System.debian13Full, .debian11Full])
    func ownersModesACLsAndARunasHookOnTheHost(_ system: Fleet.System) throws {
        let fleet = try Fleet.start(hosts: 1, systems: [system])
        defer { try? fleet.stop() }
        let host = fleet.hosts[0]
        #expect(FileManager.default.isExecutableFile(atPath: host.root + "/usr/bin/setfacl"), "\(system) has acl")
        let app = try TargetSystemTests.addUser(fleet, host)
        let project = try Project(
            fleet: fleet,
            appspec: """
                version: 0.0
                os: linux
                files:
                  - source: app
                    destination: /opt/APP
                permissions:
                  - object: /opt/APP
                    pattern: "*.html"
                    owner: app
                    group: app
                    mode: 640
                    type: [file]
                  - object: /opt/APP
                    pattern: data
                    owner: app
                    mode: 750
                    acls:
                      - u:app:rwx
                      - d:u:app:rw
                    type: [directory]
                  - object: /opt/APP/secret.txt
                    mode: 600
                    acls:
                      - u:app:r
                      - m::r
                hooks:
                  BeforeInstall:
                    - location: hooks/as-root.sh
                  AfterInstall:
                    - location: hooks/reads-secret.sh
                      runas: app

                """)
        defer { project.repo.remove() }
        try project.repo.write("app/data/.keep", "")
        try project.repo.write("app/secret.txt", "s3cret\n")
        try project.repo.write(
            "hooks/reads-secret.sh",
            "#!/bin/sh\necho \"$(id -un) $(cat /opt/\(project.name)/secret.txt)\" > /opt/\(project.name)/data/whoami\n",
            executable: true)
        _ = try project.repo.commitAll("acls and a runas hook")
        let result = try project.deploy()
        #expect(result.status == 0, "\(system): \(result.stderr)")

        let installed = host.root + "/opt/\(project.name)"
        let index = try TargetSystemTests.stat(installed + "/index.html")
        #expect(index.uid == app.uid && index.gid == app.gid && index.mode == 0o640, "\(system): \(index)")
        let data = try TargetSystemTests.stat(installed + "/data")
        #expect(data.uid == app.uid && data.gid == 0 && data.mode == 0o750, "\(system): \(data)")
        #expect(try TargetSystemTests.stat(installed + "/data/whoami").uid == app.uid, "the runas hook's file")
        #expect(
            try String(contentsOfFile: installed + "/data/whoami", encoding: .utf8) == "app s3cret\n",
            "\(system): the hook ran as app and read the file its ACL opens")
        // Numeric: the user is the host's, unknown to this machine.
        let dataACL = try runCommand("getfacl", ["-c", "-n", installed + "/data"], check: true).stdout
        #expect(
            dataACL.contains("user:\(app.uid):rwx") && dataACL.contains("default:user:\(app.uid):rw-"),
            "\(system): \(dataACL)")
        let secretACL = try runCommand("getfacl", ["-c", "-n", installed + "/secret.txt"], check: true).stdout
        #expect(
            secretACL == "user::rw-\nuser:\(app.uid):r--\ngroup::---\nmask::r--\nother::---\n\n",
            "\(system): \(secretACL)")
    }
}
