import Testing

@testable import TarmacSSH

@Suite struct SSHConfigTests {
    static let text = """
        # top-level options apply to every host
        User fallback
        Host web? !web9
          HostName %h.internal
          Port 2222
          IdentityFile ~/.ssh/web_key
        Host web1
          User ignored-for-port
          Port 22
        Host db
          HostName=10.0.0.5
          User = "db admin"
          UserKnownHostsFile ~/.ssh/kh_db ~/.ssh/kh2
        Match host web1
          Port 9999
        Host *
          IdentityFile %d/.ssh/id_ed25519
          Port 2200
        """

    let config = SSHConfig(parsing: Self.text, home: "/home/me")

    @Test func firstValueWinsAcrossMatchingBlocks() throws {
        let web1 = try config.settings(for: "web1")
        #expect(web1.hostName == "web1.internal")
        #expect(web1.port == 2222)
        #expect(web1.user == "fallback")
        #expect(web1.identityFiles == ["/home/me/.ssh/web_key", "/home/me/.ssh/id_ed25519"])
    }

    @Test func negationExcludesAHost() throws {
        let web9 = try config.settings(for: "web9")
        #expect(web9.hostName == nil)
        #expect(web9.port == 2200)
    }

    @Test func equalsSignsQuotesAndKnownHostsFiles() throws {
        let db = try config.settings(for: "db")
        #expect(db.hostName == "10.0.0.5")
        #expect(db.user == "fallback")
        #expect(db.knownHostsFile == "/home/me/.ssh/kh_db")
        let quoted = try SSHConfig(parsing: "Host db\n  User = \"db admin\"\n", home: "/h").settings(for: "db")
        #expect(quoted.user == "db admin")
    }

    @Test func explicitSettingsWinOverTheConfig() throws {
        let explicit = SSHHostSettings(name: "web2", user: "deploy", identity: "~/.ssh/deploy", sudo: true)
        let endpoint = try config.endpoint(for: explicit, home: "/home/me", currentUser: "me")
        #expect(endpoint.address == "web2.internal")
        #expect(endpoint.port == 2222)
        #expect(endpoint.user == "deploy")
        #expect(endpoint.identity == "/home/me/.ssh/deploy")
        #expect(endpoint.knownHosts == "/home/me/.ssh/known_hosts")
        #expect(endpoint.sudo)
    }

    @Test func defaultsWithoutAnyConfig() throws {
        let endpoint = try SSHConfig(parsing: "", home: "/root").endpoint(
            for: SSHHostSettings(name: "web2", address: "10.20.0.12", port: 2222), home: "/root", currentUser: "root")
        #expect(endpoint.name == "web2")
        #expect(endpoint.address == "10.20.0.12")
        #expect(endpoint.port == 2222)
        #expect(endpoint.user == "root")
        #expect(endpoint.identity == nil)
        #expect(endpoint.knownHosts == "/root/.ssh/known_hosts")
    }

    @Test func remoteCommandRunsTheProgramFromStdin() {
        #expect(
            RemoteCommand.exec(programLength: 42, sudo: false, compressed: false)
                == "t=$(mktemp) || exit 125; head -c 42 > \"$t\" || { rm -f \"$t\"; exit 125; }; "
                + "TARMAC_SESSION_PID=$PPID; export TARMAC_SESSION_PID; exec sh \"$t\"")
        #expect(
            RemoteCommand.exec(programLength: 42, sudo: false).hasPrefix(
                "t=$(mktemp) || exit 125; head -c 42 | gzip -dc > \"$t\" || { rm -f \"$t\"; exit 125; }; "))
        #expect(
            RemoteCommand.exec(programLength: 7, sudo: true).hasSuffix(
                "; exec sudo -n env TARMAC_SESSION_PID=\"$PPID\" sh \"$t\""))
        #expect(RemoteCommand.prefix == "rm -f \"$0\"\n")
    }
}
