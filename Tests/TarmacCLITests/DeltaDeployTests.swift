import Foundation
import TarmacTestSupport
import Testing

/// Delta deployments on the fleet (issue 13): a host that has a revision this build box bundled
/// gets only the files that changed, rebuilds the revision from its installed one, and ends
/// file by file where a host given every full bundle ends; when its base is not what it was,
/// it falls back to the full bundle on its own and the output says why.
@Suite("tarmac deploy: deltas", .serialized, Fleet.trait())
struct DeltaDeployTests {
    /// Two groups of one host each: `delta` gets deltas, `full` only full bundles (`--no-delta`).
    struct Project {
        let repo: GitFixture
        let name: String
        let fleet: Fleet

        init(fleet: Fleet, extra: [String] = []) throws {
            self.fleet = fleet
            repo = try GitFixture.empty("delta")
            name = "app" + String(UUID().uuidString.prefix(8)).lowercased()
            try repo.write(
                "tarmac.yml",
                "application: \(name)\ngroups:\n"
                    + fleet.groupYAML(name: "delta", hosts: [fleet.hosts[0]], extra: extra)
                    + fleet.groupYAML(name: "full", hosts: [fleet.hosts[1]], extra: extra))
        }

        var deltaHost: Fleet.Host { fleet.hosts[0] }
        var fullHost: Fleet.Host { fleet.hosts[1] }

        /// Revision `n`: 40 files that never change, one that changes every time, a link, a
        /// directory only revision 1 has, one from revision 2 on, a mode change in revision 3,
        /// a permissions entry and a hook. Returns the commit.
        @discardableResult
        func commit(_ n: Int) throws -> String {
            try repo.write(
                "appspec.yml",
                """
                version: 0.0
                os: linux
                files:
                  - source: app
                    destination: /opt/\(name)
                permissions:
                  - object: /opt/\(name)/static
                    pattern: "**"
                    mode: 640
                    type: [file]
                hooks:
                  AfterInstall:
                    - location: scripts/hook.sh

                """)
            try repo.write(
                "scripts/hook.sh", "#!/bin/sh\necho \"rev=\(n)\" >> /var/log/\(name).events\n", executable: true)
            try repo.write("app/index.html", "revision \(n)\n")
            for i in 0..<40 { try repo.write("app/static/file-\(i).txt", Self.noise(seed: i, bytes: 8192)) }
            try repo.write("app/bin/run.sh", "#!/bin/sh\necho run\n", executable: n != 3)
            try? FileManager.default.removeItem(atPath: repo.root + "/app/link")
            try repo.symlink("app/link", to: n % 2 == 0 ? "static/file-1.txt" : "static/file-2.txt")
            let old = repo.root + "/app/old"
            if n == 1 {
                try repo.write("app/old/x.txt", "old\n")
            } else {
                try? FileManager.default.removeItem(atPath: old)
            }
            if n >= 2 { try repo.write("app/new/y.txt", "new\n") }
            _ = try repo.commitAll("revision \(n)", date: "2026-01-0\(n)T00:00:00Z")
            return try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Text that compresses poorly and is the same for the same seed, so the full bundle
        /// is about as big as its files and a delta's saving shows.
        static func noise(seed: Int, bytes: Int) -> String {
            var state = UInt64(seed + 1) &* 0x9E37_79B9_7F4A_7C15
            var text = ""
            while text.utf8.count < bytes {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += String(state >> 11, radix: 36)
                if text.utf8.count % 64 < 12 { text += "\n" }
            }
            return text
        }

        func deploy(_ group: String, _ arguments: String...) throws -> CommandResult {
            try runCommand(TestPaths.tarmac, ["deploy", group, "--json"] + arguments, in: repo.root)
        }

        /// The `transfer` object of the host's `host_finished` line.
        static func transfer(_ result: CommandResult) -> [String: Any]? {
            for line in result.stdout.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["type"] as? String == "host_finished"
                else { continue }
                return object["transfer"] as? [String: Any]
            }
            return nil
        }

        /// What the history says the deployment of `result` sent its one host: `show --json`'s
        /// `transfer`, and the `sent:` line of `show`.
        func recordedTransfer(_ result: CommandResult) throws -> (json: [String: Any]?, text: String?) {
            let started = result.stdout.split(separator: "\n").compactMap { line in
                try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }.first { $0["type"] as? String == "deployment_started" }
            let id = try #require(started?["id"] as? String, "\(result.stdout)")
            let json = try runCommand(TestPaths.tarmac, ["show", id, "--json"], in: repo.root, check: true)
            let hosts = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["hosts"]
            let text = try runCommand(TestPaths.tarmac, ["show", id], in: repo.root, check: true)
            return (
                (hosts as? [[String: Any]])?.first?["transfer"] as? [String: Any],
                text.stdout.split(separator: "\n").first { $0.hasPrefix("  sent: ") }.map(String.init)
            )
        }

        func tree(_ host: Fleet.Host) throws -> [String: String] {
            try ApplyKeepTests.tree(fleet.root(of: host) + "/opt/\(name)")
        }

        /// The group's cleanup record on the host (its name holds the group's id).
        func cleanup(_ host: Fleet.Host) throws -> String {
            let instructions = fleet.root(of: host) + "/var/lib/tarmac/deployment-instructions"
            let name = try #require(
                try FileManager.default.contentsOfDirectory(atPath: instructions).first { $0.hasSuffix("-cleanup") })
            return try String(contentsOfFile: instructions + "/" + name, encoding: .utf8)
        }

        /// The deployment directory `_last_successful_install` names on the host (a host path).
        func lastSuccessful(_ host: Fleet.Host) throws -> String {
            let instructions = fleet.root(of: host) + "/var/lib/tarmac/deployment-instructions"
            let name = try #require(
                try FileManager.default.contentsOfDirectory(atPath: instructions).first {
                    $0.hasSuffix("_last_successful_install")
                })
            return try String(contentsOfFile: instructions + "/" + name, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Every file of a deployment-archive (seen from the build box) with its mode and content.
    static func archive(_ fleet: Fleet, _ host: Fleet.Host, _ directory: String) throws -> [String: String] {
        try ApplyKeepTests.tree(fleet.root(of: host) + directory + "/deployment-archive")
    }

    @Test func deltasInARowAndARollbackEndWhereFullInstallsEnd() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        let project = try Project(fleet: fleet)
        defer { project.repo.remove() }
        var commits: [Int: String] = [:]
        for n in 1...3 { commits[n] = try project.commit(n) }
        // 1, 2, 3, then back to 2 and forward to 3 again.
        for (step, revision) in [1, 2, 3, 2, 3].enumerated() {
            let rev = try #require(commits[revision])
            let base = step == 0 ? nil : try project.lastSuccessful(project.deltaHost)
            let baseBefore = try base.map { try Self.archive(fleet, project.deltaHost, $0) }
            let delta = try project.deploy("delta", "--rev", rev)
            #expect(delta.status == 0, "step \(step): \(delta.stderr)")
            let full = try project.deploy("full", "--rev", rev, "--no-delta")
            #expect(full.status == 0, "step \(step): \(full.stderr)")
            let sent = try #require(Project.transfer(delta), "step \(step): \(delta.stdout)")
            let fullSent = try #require(Project.transfer(full))
            // The history keeps what the host was sent, as deploy reported it.
            let recorded = try project.recordedTransfer(delta)
            #expect(
                recorded.json.map { NSDictionary(dictionary: $0) } == NSDictionary(dictionary: sent),
                "step \(step): \(recorded.json ?? [:]) vs \(sent)")
            #expect(
                recorded.text?.hasPrefix(step == 0 ? "  sent: full bundle (" : "  sent: delta from ") == true,
                "step \(step): \(recorded.text ?? "no sent: line")")
            #expect(fullSent["kind"] as? String == "full" && fullSent["reason"] as? String == "deltas are off")
            if step == 0 {
                #expect(sent["kind"] as? String == "full", "\(sent)")
                #expect(sent["reason"] as? String == "no revision installed", "\(sent)")
            } else {
                #expect(sent["kind"] as? String == "delta", "step \(step): \(sent)")
                let bytes = try #require(sent["bytes"] as? Int)
                let fullBytes = try #require(fullSent["bytes"] as? Int)
                #expect(bytes * 4 < fullBytes, "step \(step): a delta of \(bytes) bytes against \(fullBytes)")
                #expect((sent["files_sent"] as? Int ?? 99) <= 4, "step \(step): \(sent)")
                #expect((sent["files_reused"] as? Int ?? 0) >= 40, "step \(step): \(sent)")
            }
            #expect(try project.tree(project.deltaHost) == project.tree(project.fullHost), "step \(step)")
            #expect(try project.cleanup(project.deltaHost) == project.cleanup(project.fullHost), "step \(step)")
            // The revision the delta started from is byte for byte and mode for mode what it was.
            if let base, let baseBefore {
                #expect(try Self.archive(fleet, project.deltaHost, base) == baseBefore, "step \(step)")
                let now = try project.lastSuccessful(project.deltaHost)
                let rebuilt = try Self.archive(fleet, project.deltaHost, now)
                let unpacked = try Self.archive(fleet, project.fullHost, try project.lastSuccessful(project.fullHost))
                // The delta's own record stays beside the manifest; everything else is the same.
                let differing = Set(rebuilt.keys).union(unpacked.keys).subtracting([".tarmac/delta.json"])
                    .filter { rebuilt[$0] != unpacked[$0] }.sorted()
                let where_ = differing.map { "\($0): \(rebuilt[$0] ?? "-") vs \(unpacked[$0] ?? "-")" }
                #expect(differing.isEmpty, "step \(step): the rebuilt archive differs at \(where_)")
            }
        }
    }

    @Test func aChangedBaseFallsBackToTheFullBundle() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        let project = try Project(fleet: fleet)
        defer { project.repo.remove() }
        try project.commit(1)
        #expect(try project.deploy("delta").status == 0)
        // A file of the installed revision's archive written in place, its mtime put back.
        let base = try project.lastSuccessful(project.deltaHost)
        let file = base + "/deployment-archive/app/static/file-3.txt"
        let edit = try fleet.exec(
            project.deltaHost,
            ["sh", "-c", "t=$(stat -c %y \"$1\"); echo tampered >> \"$1\"; touch -d \"$t\" \"$1\"", "sh", file])
        #expect(edit.status == 0, "\(edit.stderr)")
        try project.commit(2)
        let result = try project.deploy("delta")
        #expect(result.status == 0, "\(result.stderr)")
        let sent = try #require(Project.transfer(result), "\(result.stdout)")
        #expect(sent["kind"] as? String == "full", "\(sent)")
        let reason = sent["reason"] as? String ?? ""
        #expect(reason.contains("fell back on the host"), "\(reason)")
        #expect(result.stdout.contains("the full bundle was sent"), "the output says so: \(result.stdout)")
        #expect(try project.deploy("full", "--no-delta").status == 0)
        #expect(try project.tree(project.deltaHost) == project.tree(project.fullHost))
        // The next delta starts from the revision the full bundle installed.
        try project.commit(3)
        let next = try project.deploy("delta")
        #expect(Project.transfer(next)?["kind"] as? String == "delta", "\(next.stdout)")
    }

    @Test func aMissingBaseOrManifestSendsTheFullBundle() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        let project = try Project(fleet: fleet, extra: ["max_revisions: 1"])
        defer { project.repo.remove() }
        try project.commit(1)
        #expect(try project.deploy("delta").status == 0)
        // With max_revisions 1, retention keeps the base while a delta uses it.
        try project.commit(2)
        let kept = try project.deploy("delta")
        #expect(Project.transfer(kept)?["kind"] as? String == "delta", "\(kept.stdout)")
        // The installed revision's directory removed (as a retention of another tool would).
        let base = try project.lastSuccessful(project.deltaHost)
        #expect(try fleet.exec(project.deltaHost, ["rm", "-rf", base]).status == 0)
        try project.commit(3)
        let gone = try project.deploy("delta")
        #expect(gone.status == 0, "\(gone.stderr)")
        #expect(Project.transfer(gone)?["kind"] as? String == "full", "\(gone.stdout)")
        #expect(
            (Project.transfer(gone)?["reason"] as? String ?? "").contains("directory is gone"), "\(gone.stdout)")
        // The build box without its copy of the installed revision's manifest.
        try FileManager.default.removeItem(atPath: project.repo.root + "/.tarmac/manifests")
        try project.commit(4)
        let unknown = try project.deploy("delta")
        #expect(unknown.status == 0, "\(unknown.stderr)")
        #expect(
            (Project.transfer(unknown)?["reason"] as? String ?? "").contains("no copy"), "\(unknown.stdout)")
        #expect(try project.deploy("full", "--no-delta").status == 0)
        #expect(try project.tree(project.deltaHost) == project.tree(project.fullHost))
    }

    @Test func planSaysWhatEachHostWouldReceive() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        let project = try Project(fleet: fleet)
        defer { project.repo.remove() }
        try project.commit(1)
        #expect(try project.deploy("delta").status == 0)
        try project.commit(2)
        let plan = try project.repo.tarmac("plan", "delta", "--json")
        #expect(plan.status == 0, "\(plan.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let host = try #require((object?["hosts"] as? [[String: Any]])?.first)
        let transfer = try #require(host["transfer"] as? [String: Any], "\(host)")
        #expect(transfer["kind"] as? String == "delta" && (transfer["bytes"] as? Int ?? 0) > 0, "\(transfer)")
        let text = try project.repo.tarmac("plan", "full")
        let said = text.stdout + text.stderr
        #expect(said.contains("sends: full bundle ("), "\(said)")
        #expect(said.contains("no revision installed"), "\(said)")
    }
}
