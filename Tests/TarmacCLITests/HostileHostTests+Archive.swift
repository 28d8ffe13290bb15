import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHost
import TarmacTestSupport
import Testing

/// The retained archive of a careless foreign bundle, private files, and runas users.
extension HostileHostTests {
    static let looseAppSpec = """
        version: 0.0
        os: linux
        files:
          - source: app
            destination: /opt/app
        permissions:
          - object: /opt/app/granted
            mode: 4755
            type: [file]
        hooks:
          ApplicationStart:
            - location: scripts/start.sh
              runas: tmrunas

        """

    /// Everything 0777 (directories, scripts, the archive's own `./`), a secret 0600, a setuid file.
    static func looseBundle(_ directory: String) throws -> String {
        try foreignBundle(
            [
                ("appspec.yml", 0o777, looseAppSpec),
                ("scripts/", 0o777, ""),
                (
                    "scripts/start.sh", 0o777,
                    "#!/bin/sh\nid -un\nhere=$(dirname \"$0\")\ncat \"$here/../app/public\" >/dev/null && echo runas-can-read\n"
                ),
                ("app/", 0o777, ""),
                ("app/secret", 0o600, "token\n"),
                ("app/public", 0o666, "public\n"),
                ("app/suid", 0o4755, "#!/bin/sh\n"),
                ("app/granted", 0o2755, "#!/bin/sh\n"),
            ], directory: directory)
    }

    @Test func aWorldWritableForeignBundleLeavesAnArchiveOnlyRootAndRunasUsersCanRead() throws {
        let box = try HostileSandbox.make()
        defer { box.remove() }
        let bundle = try Self.looseBundle(box.mounts.root + "/b")
        let result = try Self.apply(box, bundle, extra: "--keep-bundle")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(HostileSandbox.runas) && result.stderr.contains("runas-can-read"))

        let archives = try box.run("ls -d \"$ROOT\"/*/d-*/deployment-archive").stdout
        let archive = try #require(archives.split(separator: "\n").first.map(String.init))
        let deployment = (archive as NSString).deletingLastPathComponent
        let loose = try box.run(
            "find \"$A\" ! -type l \\( -perm /022 -o -perm /6000 \\) -print", environment: ["A": archive])
        #expect(loose.status == 0 && loose.stdout.isEmpty, "writable or setuid in the archive: \(loose.stdout)")
        #expect(mode(archive) & 0o027 == 0, "closed to others: \(String(mode(archive), radix: 8))")

        for attempt in [
            "echo x >> \"$A/scripts/start.sh\"", "cat \"$A/app/secret\"", "cat \"$A/app/public\"", "ls \"$A\"",
            "echo x > \"$A/scripts/new.sh\"",
        ] {
            let tried = try box.asEvil(attempt.replacing("$A", with: archive))
            #expect(tried.status != 0, "the attacker could: \(attempt)")
        }
        #expect(try String(contentsOfFile: archive + "/scripts/start.sh", encoding: .utf8).hasPrefix("#!/bin/sh\nid"))

        // Installed: the bundle's setuid/setgid dropped; the AppSpec's own setuid applied.
        #expect(mode(box.opt + "/app/suid") == 0o755)
        #expect(mode(box.opt + "/app/granted") == 0o4755)

        // Private files: hook output and the bundle.
        #expect(mode(deployment) == 0o711)
        #expect(mode(deployment + "/logs") == 0o700)
        #expect(mode(deployment + "/logs/scripts.log") == 0o600)
        #expect(mode(deployment + "/bundle.tar") == 0o600)
        #expect(mode(box.root + "/deployment-logs") == 0o700)
        #expect(mode(box.root + "/deployment-logs/tarmac-deployments.log") == 0o600)
        #expect(try box.asEvil("cat \"\(deployment)/logs/scripts.log\"").status != 0)
    }

    @Test func aLastSuccessfulRevisionOthersCouldChangeIsNotRun() throws {
        let box = try HostileSandbox.make()
        defer { box.remove() }
        let bundle = try Self.plainBundle(box.mounts.root + "/b")
        #expect(try Self.apply(box, bundle).status == 0)
        // As an older tarmac left it: the bundle's 0777 kept.
        try box.run("chmod 0777 \"$ROOT\"/*/d-*/deployment-archive/scripts/stop.sh").expectSuccess()
        try FileManager.default.removeItem(atPath: box.opt + "/events.log")
        let second = try Self.apply(box, bundle)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("has files other users could change"), "\(second.stderr)")
        #expect(second.stderr.contains("deployment-archive/scripts/stop.sh"), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.opt + "/events.log"), "its ApplicationStop did not run")
    }

    @Test func aMissingRunasUserIsAWarningAndFailsItsHookIfStillMissing() throws {
        let box = try HostileSandbox.make()
        defer { box.remove() }
        let spec = """
            version: 0.0
            os: linux
            hooks:
              BeforeInstall:
                - location: make-user.sh
              AfterInstall:
                - location: who.sh
                  runas: tmlater

            """
        let bundle = try foreignBundle(
            [
                ("appspec.yml", 0o644, spec),
                (
                    "make-user.sh", 0o755,
                    "#!/bin/sh\n[ -f /opt/create ] && echo \"tmlater:x:\(box.spareUID):\(box.spareUID)::/:/bin/sh\" >> /etc/passwd\nexit 0\n"
                ),
                ("who.sh", 0o755, "#!/bin/sh\necho \"I am $(id -un)\"\n"),
            ], directory: box.mounts.root + "/b")

        let missing = try Self.apply(box, bundle)
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("user tmlater does not exist yet on this host (runas of AfterInstall)"))
        #expect(missing.stderr.contains("cannot run as user tmlater: no such user"), "\(missing.stderr)")

        // Created by the BeforeInstall hook: not refused early, and it runs as that user.
        try "yes\n".write(toFile: box.opt + "/create", atomically: true, encoding: .utf8)
        let created = try Self.apply(box, bundle)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stderr.contains("user tmlater does not exist yet on this host"))
        #expect(created.stderr.contains("I am tmlater"), "\(created.stderr)")
    }

    /// What `plan` shows for a host (HostPreview), probed here through the local transport.
    @Test func planWarnsAboutAMissingRunasUserWithoutRefusing() async throws {
        let root = try TestPaths.temporaryDirectory("plan")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text =
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: who.sh\n      runas: tmnobody-plan\n"
        let spec = try #require(AppSpec.parse(text, file: "appspec.yml").0)
        let request = DeploymentRequest(
            deploymentID: "d-PLAN00001", application: "plan", groupName: "web", groupID: "g-plan",
            layout: HostLayout(root: root + "/tarmac", groupID: "g-plan"), appspec: spec, files: [],
            bundleSource: .localFile("/nonexistent"), bundleSHA256: "", commit: nil, events: ["AfterInstall"])
        let preview = await HostDeployment(transport: LocalTransport()).preview(request)
        #expect(preview.problems.isEmpty, "\(preview.problems)")
        #expect(
            preview.warnings == [
                "user tmnobody-plan does not exist yet on this host (runas of AfterInstall); "
                    + "a hook before them must create it, or those hooks fail"
            ])
        #expect(preview.events.first?.scripts == ["who.sh"])
    }

    func mode(_ path: String) -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { return -1 }
        return Int(info.st_mode) & 0o7777
    }
}
