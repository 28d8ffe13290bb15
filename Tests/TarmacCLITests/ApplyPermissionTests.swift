import Foundation
import TarmacTestSupport
import Testing

/// `tarmac apply` end to end with an AppSpec's permissions (owner, group, mode, ACLs through
/// this machine's setfacl) and a `runas` hook, in a sandbox whose users exist only there.
@Suite("tarmac apply: permissions and runas", .serialized, PrivateMounts.trait)
struct ApplyPermissionTests {
    @Test func ownersModesACLsAndARunasHookAreApplied() throws {
        try Requirement.check(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/setfacl")
                ? nil : "the permissions test needs setfacl and getfacl on this machine (apt-get install acl)")
        let sandbox = try HostileSandbox.make()
        defer { sandbox.remove() }
        let user = HostileSandbox.runas
        let repo = try GitFixture.empty("apply-permissions")
        defer { repo.remove() }
        try repo.write(
            "appspec.yml",
            """
            version: 0.0
            os: linux
            files:
              - source: app
                destination: /opt/app
            permissions:
              - object: /opt/app
                pattern: "*.html"
                owner: \(user)
                group: \(user)
                mode: 640
                type: [file]
              - object: /opt/app/bin/serve
                owner: \(user)
                mode: 4750
              - object: /opt/app
                pattern: data
                owner: \(user)
                mode: 750
                acls:
                  - u:\(user):rwx
                  - d:u:\(user):rw
                type: [directory]
              - object: /opt/app/secret.txt
                mode: 600
                acls:
                  - u:\(user):r
                  - m::r
            hooks:
              AfterInstall:
                - location: whoami.sh
                  runas: \(user)

            """)
        try repo.write("app/index.html", "hello\n")
        try repo.write("app/bin/serve", "#!/bin/sh\necho serving\n", executable: true)
        try repo.write("app/data/.keep", "")
        try repo.write("app/secret.txt", "s3cret\n")
        // The runas hook writes into the directory the user was given, and reads the file its ACL opens.
        try repo.write(
            "whoami.sh",
            "#!/bin/sh\necho \"$(id -un) $(id -u) $(cat /opt/app/secret.txt)\" > /opt/app/data/whoami\n",
            executable: true)
        try repo.commitAll("permissions")
        let bundle = try ApplyTests.bundlePath(repo, "\(UUID().uuidString).tar.gz")
        let result = try sandbox.run(
            """
            "$TARMAC" apply "$B" --deployment-root "$ROOT" || exit $?
            cd /opt/app
            for f in index.html bin/serve data secret.txt; do
                echo "$f $(stat -c '%U %G %a' "$f")"
            done > /opt/stat.txt
            stat -c '%U' data/whoami >> /opt/stat.txt
            getfacl -c -n data > /opt/data.acl
            getfacl -c -n secret.txt > /opt/secret.acl
            """, environment: ["B": bundle])
        #expect(result.status == 0, "\(result.stderr)")
        let stat = try String(contentsOfFile: sandbox.opt + "/stat.txt", encoding: .utf8)
        #expect(
            stat == """
                index.html \(user) \(user) 640
                bin/serve \(user) root 4750
                data \(user) root 750
                secret.txt root root 640
                \(user)

                """, "\(stat)")
        #expect(
            try String(contentsOfFile: sandbox.opt + "/app/data/whoami", encoding: .utf8)
                == "\(user) \(sandbox.runasUID) s3cret\n", "the hook ran as the user, through the ACL")
        let uid = sandbox.runasUID
        let data = try String(contentsOfFile: sandbox.opt + "/data.acl", encoding: .utf8)
        #expect(data.contains("user:\(uid):rwx") && data.contains("default:user:\(uid):rw-"), "\(data)")
        let secret = try String(contentsOfFile: sandbox.opt + "/secret.acl", encoding: .utf8)
        #expect(secret == "user::rw-\nuser:\(uid):r--\ngroup::---\nmask::r--\nother::---\n\n", "\(secret)")
    }
}
