import Foundation
import TarmacTestSupport
import Testing

/// The hostile-input suite (SECURITY.md): a local non-root user of the host, planted files and
/// links, and a careless foreign bundle, against `tarmac apply` in a private mount namespace
/// with real users of its own (`HostileSandbox`). Needs root.
@Suite("hostile host", .serialized, PrivateMounts.trait)
struct HostileHostTests {
    /// A plain revision: `app/index.html` to /opt/app and an ApplicationStop that leaves a trace.
    static let plainAppSpec = """
        version: 0.0
        os: linux
        files:
          - source: app
            destination: /opt/app
        hooks:
          ApplicationStop:
            - location: scripts/stop.sh
          ApplicationStart:
            - location: scripts/stop.sh

        """

    static func plainBundle(_ directory: String) throws -> String {
        try foreignBundle(
            [
                ("appspec.yml", 0o644, plainAppSpec),
                ("scripts/stop.sh", 0o755, "#!/bin/sh\necho \"$LIFECYCLE_EVENT\" >> /opt/events.log\n"),
                ("app/index.html", 0o644, "hello\n"),
            ], directory: directory)
    }

    static func apply(_ box: HostileSandbox, _ bundle: String, root: String? = nil, extra: String = "")
        throws -> CommandResult
    {
        try box.run(
            "\"$TARMAC\" apply \"$B\" --deployment-root \"$R\" --deployment-group web \(extra)",
            environment: ["B": bundle, "R": root ?? box.root])
    }

    @Test func aDeploymentRootAnotherUserOwnsOrCanWriteIsRefusedBeforeAnythingRuns() throws {
        let box = try HostileSandbox.make()
        defer { box.remove() }
        let bundle = try Self.plainBundle(box.mounts.root + "/b")
        try box.run("chown \"$EVIL\" \"$ROOT\"").expectSuccess()
        let owned = try Self.apply(box, bundle)
        #expect(owned.status == 2, "\(owned.stderr)")
        #expect(owned.stderr.contains("the deployment root is not safe: \(box.root) is not owned by root"))
        #expect(owned.stderr.contains("owner \(HostileSandbox.evil), uid \(box.evilUID), mode 0755"), "\(owned.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root).isEmpty, "nothing made in the root")
        #expect(!FileManager.default.fileExists(atPath: box.opt + "/app"), "nothing installed")

        try box.run("chown 0 \"$ROOT\" && chmod 0777 \"$ROOT\"").expectSuccess()
        let writable = try Self.apply(box, bundle)
        #expect(writable.status == 2, "\(writable.stderr)")
        #expect(writable.stderr.contains("\(box.root) is writable by other users (owner root, uid 0, mode 0777"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.opt + "/events.log"), "no hook ran")

        try box.run("chmod 0755 \"$ROOT\"").expectSuccess()
        let safe = try Self.apply(box, bundle)
        #expect(safe.status == 0, "\(safe.stderr)")
    }

    @Test func aWritableAncestorIsRefusedAndAStickyOneIsNot() throws {
        let box = try HostileSandbox.make()
        defer { box.remove() }
        let bundle = try Self.plainBundle(box.mounts.root + "/b")
        let ancestor = box.mounts.root + "/shared"
        let root = ancestor + "/deep/tarmac"
        try FileManager.default.createDirectory(atPath: ancestor + "/deep", withIntermediateDirectories: true)
        #expect(chmod(ancestor, 0o777) == 0)
        let refused = try Self.apply(box, bundle, root: root)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("\(ancestor) is writable by other users (owner root, uid 0, mode 0777"),
            "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root), "the root was not even made")

        // A group-writable one, too.
        #expect(chmod(ancestor, 0o775) == 0)
        let group = try Self.apply(box, bundle, root: root)
        #expect(group.status == 2 && group.stderr.contains("mode 0775"), "\(group.stderr)")

        // Like /tmp: others can add names but not replace the root's own ancestors.
        #expect(chmod(ancestor, 0o1777) == 0)
        let sticky = try Self.apply(box, bundle, root: root)
        #expect(sticky.status == 0, "\(sticky.stderr)")

        // An ancestor the attacker owns (they could chmod it and swap what is below).
        try box.run("chown \"$EVIL\" \"$A/deep\"", environment: ["A": ancestor]).expectSuccess()
        let owned = try Self.apply(box, bundle, root: root)
        #expect(owned.status == 2, "\(owned.stderr)")
        #expect(owned.stderr.contains("\(ancestor)/deep is not owned by root or the deployment user"))
    }

    /// An attacker's revision: an ApplicationStop that would leave /opt/pwned.
    static func plantRevision(_ box: HostileSandbox) throws -> String {
        let evil = box.opt + "/evil"
        try box.run(
            """
            mkdir -p /opt/evil/deployment-archive/scripts
            printf 'version: 0.0\\nos: linux\\nhooks:\\n  ApplicationStop:\\n    - location: scripts/stop.sh\\n' \
              > /opt/evil/deployment-archive/appspec.yml
            printf '#!/bin/sh\\ntouch /opt/pwned\\n' > /opt/evil/deployment-archive/scripts/stop.sh
            chmod 755 /opt/evil/deployment-archive/scripts/stop.sh
            chown -R "$EVIL" /opt/evil
            """
        ).expectSuccess()
        return evil
    }

    @Test func plantedRecordsAreRefusedAndTheirScriptsNeverRun() throws {
        let box = try HostileSandbox.make()
        defer { box.remove() }
        let bundle = try Self.plainBundle(box.mounts.root + "/b")
        #expect(try Self.apply(box, bundle).status == 0)
        _ = try Self.plantRevision(box)
        let record = "\"$ROOT\"/deployment-instructions/*_last_successful_install"

        // The attacker's own record (as if they could once write deployment-instructions).
        try box.run("for f in \(record); do printf /opt/evil > \"$f\"; chown \"$EVIL\" \"$f\"; done").expectSuccess()
        let owned = try Self.apply(box, bundle)
        #expect(owned.status == 2, "\(owned.stderr)")
        #expect(owned.stderr.contains("_last_successful_install is not owned by root or the deployment user"))
        #expect(owned.stderr.contains("uid \(box.evilUID)"))

        // Root's own file, but naming a directory outside the group's.
        try box.run("for f in \(record); do chown 0 \"$f\"; done").expectSuccess()
        let outside = try Self.apply(box, bundle)
        #expect(outside.status == 2, "\(outside.stderr)")
        #expect(outside.stderr.contains("names a directory outside the group's"), "\(outside.stderr)")

        // Writable by others.
        try box.run("for f in \(record); do chmod 0666 \"$f\"; done").expectSuccess()
        let writable = try Self.apply(box, bundle)
        #expect(writable.status == 2 && writable.stderr.contains("mode 0666"), "\(writable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.opt + "/pwned"), "the planted script never ran")
    }

    @Test func plantedSymlinksAreRefusedOrReplacedNeverFollowed() throws {
        let box = try HostileSandbox.make()
        defer { box.remove() }
        let bundle = try Self.plainBundle(box.mounts.root + "/b")
        #expect(try Self.apply(box, bundle).status == 0)
        try "precious\n".write(toFile: box.opt + "/victim", atomically: true, encoding: .utf8)
        let log = box.root + "/deployment-logs/tarmac-deployments.log"

        try FileManager.default.removeItem(atPath: log)
        try FileManager.default.createSymbolicLink(atPath: log, withDestinationPath: "/opt/victim")
        let linkedLog = try Self.apply(box, bundle)
        #expect(linkedLog.status == 2, "\(linkedLog.stderr)")
        #expect(linkedLog.stderr.contains("tarmac-deployments.log is not a regular file"), "\(linkedLog.stderr)")
        try FileManager.default.removeItem(atPath: log)

        // The old temporary name of a record: no longer used, so never written through.
        try box.run(
            "for f in \"$ROOT\"/deployment-instructions/*_most_recent_install; do rm -f \"$f.tarmac-tmp\"; ln -s /opt/victim \"$f.tarmac-tmp\"; done"
        ).expectSuccess()
        #expect(try Self.apply(box, bundle).status == 0)

        // A record replaced by a link: refused.
        try box.run(
            "for f in \"$ROOT\"/deployment-instructions/*_most_recent_install; do rm -f \"$f\"; ln -s /opt/victim \"$f\"; done"
        ).expectSuccess()
        let linkedRecord = try Self.apply(box, bundle)
        #expect(linkedRecord.status == 2, "\(linkedRecord.stderr)")
        #expect(linkedRecord.stderr.contains("_most_recent_install is not a regular file"), "\(linkedRecord.stderr)")
        #expect(try String(contentsOfFile: box.opt + "/victim", encoding: .utf8) == "precious\n")
    }
}

extension CommandResult {
    /// Fails the test (with what the command said) unless it exited 0.
    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 0, "exit \(status): \(stderr)", sourceLocation: sourceLocation)
    }
}
