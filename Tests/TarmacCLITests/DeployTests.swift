import Foundation
import TarmacTestSupport
import Testing

/// `tarmac deploy` against a real fleet of OpenSSH hosts (network namespaces, chrooted sshd on
/// overlays of `/`): what each host has installed is read from outside through its root.
@Suite("tarmac deploy", .serialized, Fleet.trait())
struct DeployTests {
    /// A project deploying `app/` to /opt/<name> with every hook appending
    /// `<event> rev=<n>` to /var/log/<name>.events; hosts named in `fail-on/<event>` fail that event.
    struct Project {
        let repo: GitFixture
        let name: String
        let fleet: Fleet
        var revision = 0

        init(fleet: Fleet, config: String, hosts: [Fleet.Host]? = nil, extra: [String] = []) throws {
            self.fleet = fleet
            repo = try GitFixture.empty("deploy")
            name = "app" + String(UUID().uuidString.prefix(8)).lowercased()
            try repo.write(
                "tarmac.yml",
                "application: \(name)\ngroups:\n" + fleet.groupYAML(config: config, hosts: hosts, extra: extra))
        }

        /// Commits revision `revision + 1`; `failOn` maps an event to the hosts where it exits 3,
        /// `sleepOn` to hosts where it sleeps that many seconds first (a duration, never a way to
        /// wait for something), `holdOn` to hosts where it holds at a gate until the test releases
        /// it (see `Project+Hold.swift`).
        mutating func commit(
            failOn: [String: [String]] = [:], sleepOn: [String: (hosts: [String], seconds: Int)] = [:],
            holdOn: [String: [String]] = [:], timeout: Int? = nil, files: [String: String] = [:]
        ) throws {
            revision += 1
            let events = ["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"]
            var appspec = "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/\(name)\nhooks:\n"
            for event in events {
                appspec += "  \(event):\n    - location: hook.sh\n" + (timeout.map { "      timeout: \($0)\n" } ?? "")
            }
            try repo.write("appspec.yml", appspec)
            try repo.write(
                "hook.sh",
                """
                #!/bin/sh
                here=$(dirname "$0")
                echo "$LIFECYCLE_EVENT rev=\(revision)" >> /var/log/\(name).events
                if [ -f "$here/sleep-on/$LIFECYCLE_EVENT" ] && grep -qx "$TARMAC_HOST_NAME" "$here/sleep-on/$LIFECYCLE_EVENT"; then
                    sleep "$(cat "$here/sleep-on/$LIFECYCLE_EVENT.seconds")"
                fi
                if [ -f "$here/hold-on/$LIFECYCLE_EVENT" ] && grep -qx "$TARMAC_HOST_NAME" "$here/hold-on/$LIFECYCLE_EVENT"; then
                    \(Self.holdCode(name: name, revision: revision))
                fi
                if [ -f "$here/fail-on/$LIFECYCLE_EVENT" ] && grep -qx "$TARMAC_HOST_NAME" "$here/fail-on/$LIFECYCLE_EVENT"; then
                    echo "failing on purpose on $TARMAC_HOST_NAME" >&2
                    exit 3
                fi

                """, executable: true)
            try? FileManager.default.removeItem(atPath: repo.root + "/fail-on")
            try? FileManager.default.removeItem(atPath: repo.root + "/sleep-on")
            try? FileManager.default.removeItem(atPath: repo.root + "/hold-on")
            for (event, hosts) in holdOn { try repo.write("hold-on/\(event)", hosts.joined(separator: "\n") + "\n") }
            for (event, hosts) in failOn { try repo.write("fail-on/\(event)", hosts.joined(separator: "\n") + "\n") }
            for (event, plan) in sleepOn {
                try repo.write("sleep-on/\(event)", plan.hosts.joined(separator: "\n") + "\n")
                try repo.write("sleep-on/\(event).seconds", "\(plan.seconds)\n")
            }
            try? FileManager.default.removeItem(atPath: repo.root + "/app")
            try repo.write("app/index.html", "revision \(revision)\n")
            try repo.write("app/only-\(revision).html", "only in revision \(revision)\n")
            for (path, text) in files { try repo.write("app/" + path, text) }
            _ = try repo.commitAll("revision \(revision)", date: "2026-01-01T00:0\(revision):00Z")
        }

        func deploy(_ arguments: String...) throws -> CommandResult {
            try runCommand(TestPaths.tarmac, ["deploy", "fleet"] + arguments, in: repo.root)
        }

        /// What host `host` has at /opt/<name>/<path>, if anything.
        func installed(_ host: Fleet.Host, _ path: String = "index.html") -> String? {
            try? String(contentsOfFile: fleet.root(of: host) + "/opt/\(name)/" + path, encoding: .utf8)
        }

        /// The events the hooks logged on `host`.
        func events(_ host: Fleet.Host) -> [String] {
            let text = (try? String(contentsOfFile: fleet.root(of: host) + "/var/log/\(name).events", encoding: .utf8))
            return text?.split(separator: "\n").map(String.init) ?? []
        }
    }

    @Test func halfAtATimeDeploysTwiceAndStopsWithTheEarlierRevision() throws {
        let fleet = try Fleet.start(hosts: 4)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "HalfAtATime")
        defer { project.repo.remove() }
        try project.commit()
        let first = try project.deploy()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("HalfAtATime (2 at a time, 2 must stay healthy)"), "\(first.stderr)")
        try project.commit()
        let second = try project.deploy()
        #expect(second.status == 0, "\(second.stderr)")
        let commit = try project.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let check = try project.repo.tarmac("hosts", "check", "fleet")
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.components(separatedBy: "installed \(commit.prefix(12))").count == 5, "\(check.stderr)")
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 2\n", "\(host)")
            #expect(project.installed(host, "only-1.html") == nil, "revision 1's file was cleaned up on \(host)")
            #expect(
                project.events(host) == [
                    "BeforeInstall rev=1", "AfterInstall rev=1", "ApplicationStart rev=1", "ValidateService rev=1",
                    "ApplicationStop rev=1", "BeforeInstall rev=2", "AfterInstall rev=2", "ApplicationStart rev=2",
                    "ValidateService rev=2",
                ], "\(host)")
        }
    }

    @Test(Fleet.trait(systems: [.debian13Full, .debian11Full]))
    func sudoRunsTheHostProgramsWithoutAPrompt() throws {
        // Systems with sudo, the oldest and the newest.
        let fleet = try Fleet.start(hosts: 2, systems: [.debian13Full, .debian11Full])
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce", extra: ["sudo: true"])
        defer { project.repo.remove() }
        try project.commit()
        // Without sudo on host2, the programs cannot start there: proof they go through it.
        #expect(FileManager.default.fileExists(atPath: fleet.root(of: fleet.hosts[1]) + "/usr/bin/sudo"))
        #expect(try fleet.exec(fleet.hosts[1], ["rm", "-f", "/usr/bin/sudo"]).status == 0)
        let result = try project.deploy()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n")
        #expect(project.installed(fleet.hosts[1]) == nil)
        #expect(result.stderr.contains("sudo"), "\(result.stderr)")
    }

    /// One configuration, failures placed on some hosts, and what must follow.
    struct Scenario: CustomTestStringConvertible, Sendable {
        var config: String
        var hosts: Int
        var failing: [Int]
        var exit: Int32
        /// Host numbers (1-based) that must have been left untouched (Skipped).
        var skipped: [Int]
        var testDescription: String { "\(config) on \(hosts), failing \(failing)" }
    }

    @Test(arguments: [
        Scenario(config: "OneAtATime", hosts: 4, failing: [1], exit: 1, skipped: [2, 3, 4]),
        Scenario(config: "OneAtATime", hosts: 4, failing: [2], exit: 1, skipped: [3, 4]),
        Scenario(config: "OneAtATime", hosts: 4, failing: [4], exit: 0, skipped: []),
        Scenario(config: "HalfAtATime", hosts: 5, failing: [1, 2], exit: 1, skipped: [3, 4, 5]),
        Scenario(config: "HalfAtATime", hosts: 5, failing: [3], exit: 0, skipped: []),
        Scenario(config: "AllAtOnce", hosts: 4, failing: [1, 2, 3], exit: 0, skipped: []),
        Scenario(config: "AllAtOnce", hosts: 4, failing: [1, 2, 3, 4], exit: 1, skipped: []),
        Scenario(config: "Six", hosts: 9, failing: [9], exit: 0, skipped: []),
        Scenario(config: "Six", hosts: 9, failing: [1, 2, 3], exit: 1, skipped: [4, 5, 6, 7, 8, 9]),
    ])
    func configurationArithmeticOnRealHosts(_ scenario: Scenario) throws {
        let fleet = try Fleet.start(hosts: scenario.hosts)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: scenario.config)
        defer { project.repo.remove() }
        try project.repo.write(
            "tarmac.yml",
            "application: \(project.name)\ndeployment_configs:\n  Six: { minimum_healthy_hosts: { type: HOST_COUNT, value: 6 } }\ngroups:\n"
                + fleet.groupYAML(config: scenario.config))
        let failing = scenario.failing.map { fleet.hosts[$0 - 1].name }
        try project.commit(failOn: ["ValidateService": failing])
        let result = try project.deploy()
        #expect(result.status == scenario.exit, "\(result.stderr)")
        for (index, host) in fleet.hosts.enumerated() {
            let number = index + 1
            if scenario.skipped.contains(number) {
                #expect(project.installed(host) == nil, "\(host) was skipped")
                #expect(project.events(host).isEmpty, "\(host) ran no hook")
            } else {
                #expect(project.installed(host) == "revision 1\n", "\(host) was deployed")
            }
        }
    }
}
