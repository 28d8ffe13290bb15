import Foundation
import TarmacTestSupport
import Testing

/// Receipts (issue 15): `apply` in a sandboxed host signs one with the host key, `receipts
/// import` on the build box verifies it against known_hosts and records the deployment.
@Suite("receipts", .serialized, PrivateMounts.trait)
struct ReceiptTests {
    /// A sandboxed host with its own ed25519 host key at /etc/ssh, an applied bundle, and the
    /// receipt copied out with `--receipt`.
    struct AppliedHost {
        let repo: GitFixture
        let mounts: PrivateMounts
        let receipt: String
        let hostKey: String
        let result: CommandResult

        init(asRoot: Bool = true) throws {
            repo = try ApplyTests.hookedApp(revision: 1)
            mounts = try PrivateMounts.make()
            let bundle = try ApplyTests.bundlePath(repo, "r1.tar.gz")
            let keys = mounts.root + "/etc-ssh"
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
            try runCommand(
                "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keys + "/ssh_host_ed25519_key"], check: true)
            hostKey = try String(contentsOfFile: keys + "/ssh_host_ed25519_key.pub", encoding: .utf8)
            receipt = mounts.root + "/usb/receipt.json"
            try FileManager.default.createDirectory(atPath: mounts.root + "/usb", withIntermediateDirectories: true)
            result = try mounts.run(
                """
                mount --bind "$MOUNTS/etc-ssh" /etc/ssh
                "$TARMAC" apply "$B" --deployment-root "$ROOT" --deployment-group web --receipt "$R"
                """, environment: ["B": bundle, "R": receipt])
        }

        var json: [String: Any] {
            get throws {
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: receipt)))
                    as! [String: Any]
            }
        }

        /// A known_hosts file naming the receipt's host with `key` (the host's own by default).
        func knownHosts(key: String? = nil) throws -> String {
            let host = try (json["host"] as? [String: Any])?["name"] as? String ?? ""
            let path = mounts.root + "/known_hosts-\(UUID().uuidString.prefix(6))"
            try "\(host) \((key ?? hostKey).split(separator: " ").prefix(2).joined(separator: " "))\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func importing(_ files: [String], _ extra: [String] = []) throws -> CommandResult {
            try runCommand(TestPaths.tarmac, ["receipts", "import"] + files + extra, in: repo.root)
        }

        func remove() {
            repo.remove()
            mounts.remove()
        }
    }

    @Test func applyLeavesASignedReceiptThatImportsIntoTheHistoryOnce() throws {
        let host = try AppliedHost()
        defer { host.remove() }
        #expect(host.result.status == 0, "\(host.result.stderr)")
        #expect(host.result.stderr.contains("(signed with this host's key)"), "\(host.result.stderr)")
        let json = try host.json
        let id = try #require(json["deployment_id"] as? String)
        let onHost = host.mounts.deploymentRoot + "/receipts/\(id).json"
        #expect(FileManager.default.contentsEqual(atPath: onHost, andPath: host.receipt))
        #expect(FileManager.default.fileExists(atPath: onHost + ".sig"))
        #expect(json["result"] as? String == "Succeeded")
        #expect(json["downgrade"] as? Bool == false)
        #expect((json["files"] as? [String: [String]])?["added"]?.contains("/opt/app/index.html") == true)
        #expect((json["events"] as? [[String: Any]])?.contains { $0["name"] as? String == "Install" } == true)
        let fingerprint = try runCommand("ssh-keygen", ["-lf", host.mounts.root + "/etc-ssh/ssh_host_ed25519_key.pub"])
        #expect(fingerprint.stdout.contains(((json["host"] as? [String: Any])?["host_key"] as? String) ?? "none"))
        // Anyone can check it with ssh-keygen alone.
        let signers = host.mounts.root + "/signers"
        try "host \(host.hostKey)".write(toFile: signers, atomically: true, encoding: .utf8)
        let manual = try runCommand(
            "sh",
            [
                "-c", "ssh-keygen -Y verify -f \"$1\" -I host -n tarmac-receipt -s \"$2.sig\" < \"$2\"", "sh", signers,
                host.receipt,
            ])
        #expect(manual.status == 0, "\(manual.stderr)")

        let known = try host.knownHosts()
        let imported = try host.importing([host.receipt], ["--known-hosts", known])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("recorded \(id)"), "\(imported.stderr)")
        let history = try host.repo.tarmac("history")
        #expect(history.stdout.contains(id), "\(history.stdout)")
        let name = try #require((json["host"] as? [String: Any])?["name"] as? String)
        #expect(history.stdout.contains(name), "what runs where now includes the host: \(history.stdout)")
        let show = try host.repo.tarmac("show", id, "--json")
        #expect(show.status == 0 && show.stdout.contains("\"name\" : \"\(name)\""), "\(show.stdout)")
        #expect(show.stdout.contains("\"creator\" : \"receipt\""), "\(show.stdout)")
        let text = try host.repo.tarmac("show", id)
        #expect(
            text.stdout.contains("created by receipt") && text.stdout.contains("receipt verified"), "\(text.stdout)")

        let before = try host.repo.tarmac("history", "--json").stdout
        let again = try host.importing([host.receipt], ["--known-hosts", known])
        #expect(again.status == 0)
        #expect(again.stderr.contains("already in the history; nothing changed"), "\(again.stderr)")
        #expect(try host.repo.tarmac("history", "--json").stdout == before)
    }

    @Test func tamperedReceiptsAndUnknownOrWrongKeysAreRefused() throws {
        let host = try AppliedHost()
        defer { host.remove() }
        #expect(host.result.status == 0, "\(host.result.stderr)")
        let known = try host.knownHosts()
        let tampered = host.mounts.root + "/usb/tampered.json"
        let text = try String(contentsOfFile: host.receipt, encoding: .utf8)
        try text.replacingOccurrences(of: "\"Succeeded\"", with: "\"Failed\"")
            .write(toFile: tampered, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: host.receipt + ".sig", toPath: tampered + ".sig")
        let refused = try host.importing([tampered], ["--known-hosts", known, "--trust-unsigned"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("the file was modified after signing"), "\(refused.stderr)")

        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", host.mounts.root + "/other"], check: true)
        let wrong = try host.knownHosts(
            key: try String(contentsOfFile: host.mounts.root + "/other.pub", encoding: .utf8))
        let wrongKey = try host.importing([host.receipt], ["--known-hosts", wrong])
        #expect(wrongKey.status == 2)
        #expect(wrongKey.stderr.contains("a wrong key"), "\(wrongKey.stderr)")
        let empty = host.mounts.root + "/empty_known_hosts"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let unknown = try host.importing([host.receipt], ["--known-hosts", empty])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("an unknown host key"), "\(unknown.stderr)")
        let garbage = host.mounts.root + "/usb/garbage.json"
        try "{\"receipt_version\": 1}\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let invalid = try host.importing([host.receipt, garbage], ["--known-hosts", known])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("\(garbage):1:1: error: not a tarmac receipt"), "\(invalid.stderr)")
        // Nothing was recorded by the refusals (one bad file stops all); --trust-unsigned records it, marked unverified.
        #expect(!FileManager.default.fileExists(atPath: host.repo.root + "/.tarmac/state.db"))
        let unverified = try host.importing([host.receipt], ["--known-hosts", empty, "--trust-unsigned"])
        #expect(unverified.status == 0, "\(unverified.stderr)")
        #expect(unverified.stderr.contains("UNVERIFIED"), "\(unverified.stderr)")
    }

    @Test func aDeploymentUserWhoCannotReadTheHostKeyLeavesAnUnsignedReceiptSayingWhy() throws {
        let repo = try ApplyTests.hookedApp(revision: 1)
        defer { repo.remove() }
        let sandbox = try HostileSandbox.make()
        defer { sandbox.remove() }
        let bundle = try ApplyTests.bundlePath(repo, "r1.tar.gz")
        // A real non-root user runs apply, on a deployment root and destination of its own.
        let result = try sandbox.run(
            """
            mkdir -p "$MOUNTS/etc-ssh" && ssh-keygen -q -t ed25519 -N '' -f "$MOUNTS/etc-ssh/ssh_host_ed25519_key"
            mount --bind "$MOUNTS/etc-ssh" /etc/ssh
            mkdir -p /opt/own && chown "$EVIL" /opt /opt/own
            cp "$B" /opt/b.tar.gz && chmod 0644 /opt/b.tar.gz
            runuser -u "$EVIL" -- "$TARMAC" apply /opt/b.tar.gz --deployment-root /opt/own/tarmac --deployment-group web
            status=$?
            cat /opt/own/tarmac/receipts/*.json
            ls /opt/own/tarmac/receipts/ >&2
            exit $status
            """, environment: ["B": bundle])
        #expect(result.stdout.contains("\"signed\" : false"), "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("readable only by root"), "\(result.stdout)")
        #expect(!result.stderr.contains(".json.sig"), "\(result.stderr)")
    }
}
