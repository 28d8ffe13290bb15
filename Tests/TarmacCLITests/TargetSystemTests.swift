import Foundation
import TarmacTestSupport
import Testing

/// `tarmac deploy` to real minimal systems: Debian 11, 12 and 13 as debootstrap made them
/// (OpenSSH 8.4, 9.2 and 10.0), with only what such a server has. What each host ended
/// with is read from outside, through its root.
@Suite("target systems", .serialized, Fleet.trait(systems: Fleet.System.allCases))
struct TargetSystemTests {
    /// A project deploying `app/` to /opt/<name> on the group `fleet`.
    struct Project {
        let repo: GitFixture
        let name = "app" + String(UUID().uuidString.prefix(8)).lowercased()

        init(fleet: Fleet, appspec: String) throws {
            repo = try GitFixture.empty("systems")
            try repo.write("tarmac.yml", "application: \(name)\ngroups:\n" + fleet.groupYAML())
            try repo.write("appspec.yml", appspec.replacingOccurrences(of: "APP", with: name))
            try repo.write("app/index.html", "hello\n")
            try repo.write("app/bin/serve", "#!/bin/sh\necho serving\n", executable: true)
            // Each hook says who ran it, as whom, in which directory, into a file of the host.
            try repo.write(
                "hooks/record.sh",
                "#!/bin/sh\necho \"$LIFECYCLE_EVENT $(id -un) $HOME $(pwd)\" >> \"$1\"\n", executable: true)
            try repo.write(
                "hooks/as-root.sh", "#!/bin/sh\nexec \"$(dirname \"$0\")/record.sh\" /var/log/\(name).events\n",
                executable: true)
            try repo.write(
                "hooks/as-user.sh", "#!/bin/sh\nexec \"$(dirname \"$0\")/record.sh\" \"$HOME/\(name).events\"\n",
                executable: true)
            _ = try repo.commitAll("revision 1")
        }

        func deploy() throws -> CommandResult {
            try runCommand(TestPaths.tarmac, ["deploy", "fleet"], in: repo.root)
        }
    }

    /// Makes the user `app` inside `host` with the system's own useradd; returns its uid and gid.
    static func addUser(_ fleet: Fleet, _ host: Fleet.Host) throws -> (uid: UInt32, gid: UInt32) {
        let add = try fleet.exec(host, ["useradd", "--create-home", "--shell", "/bin/sh", "app"])
        #expect(add.status == 0, "useradd on \(host.system): \(add.stderr)")
        let ids = try fleet.exec(host, ["sh", "-c", "id -u app; id -g app"]).stdout.split(separator: "\n")
        return (try #require(ids.first.flatMap { UInt32($0) }), try #require(ids.last.flatMap { UInt32($0) }))
    }

    static func stat(_ path: String) throws -> (uid: UInt32, gid: UInt32, mode: UInt32) {
        var info = Foundation.stat()
        guard lstat(path, &info) == 0 else { throw FleetError(message: "\(path): \(String(cString: strerror(errno)))") }
        return (info.st_uid, info.st_gid, UInt32(info.st_mode) & 0o7777)
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test(arguments: Fleet.System.minimal)
    func aDeploymentWithHooksPermissionsAndRunas(_ system: Fleet.System) throws {
        let fleet = try Fleet.start(hosts: 1, systems: [system])
        defer { try? fleet.stop() }
        let host = fleet.hosts[0]
        #expect(host.system == system)
        let app = try Self.addUser(fleet, host)
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
                  - object: /opt/APP/bin/serve
                    owner: app
                    group: app
                    mode: 4750
                hooks:
                  BeforeInstall:
                    - location: hooks/as-root.sh
                  AfterInstall:
                    - location: hooks/as-user.sh
                      runas: app
                  ApplicationStart:
                    - location: hooks/as-root.sh

                """)
        defer { project.repo.remove() }
        let result = try project.deploy()
        #expect(result.status == 0, "\(system): \(result.stderr)")

        let root = fleet.root(of: host)
        let installed = root + "/opt/\(project.name)"
        #expect(try String(contentsOfFile: installed + "/index.html", encoding: .utf8) == "hello\n")
        let index = try Self.stat(installed + "/index.html")
        #expect(index.uid == app.uid && index.gid == app.gid && index.mode == 0o640, "\(system): \(index)")
        // chown before chmod: the setuid bit survives.
        let serve = try Self.stat(installed + "/bin/serve")
        #expect(serve.uid == app.uid && serve.gid == app.gid && serve.mode == 0o4750, "\(system): \(serve)")
        #expect(
            Self.lines(root + "/var/log/\(project.name).events") == [
                "BeforeInstall root /root /", "ApplicationStart root /root /",
            ], "\(system)")
        let userEvents = root + "/home/app/\(project.name).events"
        #expect(Self.lines(userEvents) == ["AfterInstall app /home/app /"], "\(system)")
        #expect(try Self.stat(userEvents).uid == app.uid, "the runas hook's file is the user's")
    }

    @Test(arguments: Fleet.System.minimal)
    func aMissingSetfaclFailsItsHostBeforeAnythingChanges(_ system: Fleet.System) throws {
        let full = try #require(Fleet.System(rawValue: system.rawValue + "-full"))
        let fleet = try Fleet.start(hosts: 2, systems: [system, full])
        defer { try? fleet.stop() }
        let (bare, equipped) = (fleet.hosts[0], fleet.hosts[1])
        #expect(!FileManager.default.fileExists(atPath: bare.root + "/usr/bin/setfacl"), "a minimal \(system)")
        let users = try fleet.hosts.map { try Self.addUser(fleet, $0) }
        let before = try Self.changes(bare)
        let project = try Project(
            fleet: fleet,
            appspec: """
                version: 0.0
                os: linux
                files:
                  - source: app
                    destination: /opt/APP
                permissions:
                  - object: /opt/APP/index.html
                    mode: 640
                    acls:
                      - u:app:rw
                hooks:
                  BeforeInstall:
                    - location: hooks/as-root.sh

                """)
        defer { project.repo.remove() }
        let result = try project.deploy()
        let error = result.stderr.split(separator: "\n").filter { $0.contains("has no setfacl") }
        #expect(error.count == 1, "one error, for the one host: \(result.stderr)")
        #expect(
            error.first?.contains("host1") == true
                && error.first?.contains("sets acls, but this host has no setfacl; install the acl package") == true,
            "\(system): \(result.stderr)")
        let shown = try DeployFaultTests.newest(project.repo)
        #expect(DeployFaultTests.hostStatuses(shown) == ["host1": "Failed", "host2": "Succeeded"], "\(system)")
        // Nothing changed on the host without setfacl but the deployment root, made empty to
        // hold the host's lock while the host was looked at, and left empty (and the probe's
        // text, kept in root's cache for the next deployment's edit).
        let after = try Self.changes(bare)
        #expect(
            Self.withoutTarmacState(after) == Self.withoutTarmacState(before),
            "changed: \(after.filter { !before.contains($0) }), gone: \(before.filter { !after.contains($0) })")
        #expect(try FileManager.default.contentsOfDirectory(atPath: bare.root + "/var/lib/tarmac") == [])

        #expect(Self.lines(equipped.root + "/var/log/\(project.name).events") == ["BeforeInstall root /root /"])
        // Numeric: the user is the host's, unknown to this machine.
        let acl = try runCommand(
            "getfacl", ["-c", "-n", equipped.root + "/opt/\(project.name)/index.html"], check: true)
        #expect(acl.stdout.contains("user:\(users[1].uid):rw-"), "the host with setfacl has the ACL: \(acl.stdout)")
    }

    /// `changes` without tarmac's own state: the deployment root /var/lib/tarmac, and the
    /// program texts the SSH transport keeps in the login user's cache
    /// (~root/.cache/tarmac/programs), with the directories above them.
    static func withoutTarmacState(_ changes: [String]) -> [String] {
        let directories = ["var d ", "var/lib d ", "var/lib/tarmac d ", "root d ", "root/.cache d "]
        return changes.filter { line in
            !directories.contains { line.hasPrefix($0) } && !line.hasPrefix("root/.cache/tarmac")
        }
    }

    /// What the host changed (its overlay's upper directory), as `path type size mode owner`
    /// lines; sshd's login records, which every login appends to, are left out.
    static func changes(_ host: Fleet.Host) throws -> [String] {
        let listing = try runCommand(
            "find", [host.upper, "-mindepth", "1", "-printf", "%P %y %s %m %u\\n"], check: true)
        let logins = ["var/log/wtmp ", "var/log/btmp ", "var/log/lastlog "]
        return listing.stdout.split(separator: "\n").map(String.init)
            .filter { line in !logins.contains { line.hasPrefix($0) } }.sorted()
    }
}
