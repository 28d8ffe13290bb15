import TarmacCore
import Testing

@testable import TarmacSSH

/// `ProxyJump` from `~/.ssh/config` and tarmac.yml, the jump hosts' own entries, `Match`,
/// `Include`, and the keys tarmac refuses rather than ignores.
@Suite struct SSHConfigJumpTests {
    static let text = """
        Host bastion
          HostName 192.0.2.10
          User ops
          Port 2200
          IdentityFile ~/.ssh/bastion_key
        Host inner
          ProxyJump bastion
        Host web*
          ProxyJump inner,second:2022
        Host db
          ProxyJump none
        Host *
          ProxyJump bastion
        """

    let config = SSHConfig(parsing: Self.text, path: "/home/me/.ssh/config", home: "/home/me")

    private func endpoint(_ settings: SSHHostSettings, _ config: SSHConfig? = nil) throws -> SSHEndpoint {
        try (config ?? self.config).endpoint(for: settings, home: "/home/me", currentUser: "me")
    }

    @Test func aChainIsResolvedHopByHopWithEachHopsOwnEntry() throws {
        let web = try endpoint(
            SSHHostSettings(name: "web1", user: "root", identity: "/keys/deploy", knownHosts: "/keys/known"))
        #expect(web.jumps.map(\.name) == ["bastion", "inner", "second"])
        let bastion = web.jumps[0]
        #expect(bastion.address == "192.0.2.10" && bastion.port == 2200 && bastion.user == "ops")
        #expect(bastion.identity == "/home/me/.ssh/bastion_key")
        // The group's known_hosts and identity fill in what a hop's entry does not say; its
        // user (the targets' account) does not apply to jump hosts.
        #expect(bastion.knownHosts == "/keys/known")
        let second = web.jumps[2]
        #expect(second.address == "second" && second.port == 2022 && second.user == "me")
        #expect(second.identity == "/keys/deploy")
        #expect(web.jumps.allSatisfy { $0.jumps.isEmpty })
        #expect(web.user == "root" && web.address == "web1")
    }

    @Test func noneAndTarmacYAMLOverrideTheConfig() throws {
        #expect(try endpoint(SSHHostSettings(name: "db")).jumps.isEmpty)
        let direct = try endpoint(SSHHostSettings(name: "web1", proxyJump: []))
        #expect(direct.jumps.isEmpty)
        let yaml = try endpoint(
            SSHHostSettings(name: "web1", proxyJump: [JumpHost(user: "root", host: "bastion", port: 22)]))
        #expect(yaml.jumps.map { "\($0.user)@\($0.address):\($0.port)" } == ["root@192.0.2.10:22"])
        // `Host *` gives the bastion a ProxyJump to itself: that is no jump.
        #expect(try endpoint(SSHHostSettings(name: "other")).jumps.map(\.name) == ["bastion"])
    }

    @Test func aLoopOfJumpHostsIsAnError() {
        let loop = SSHConfig(parsing: "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n", path: "/c", home: "/h")
        #expect(throws: SSHConfig.Refusal.self) {
            try endpoint(SSHHostSettings(name: "x", proxyJump: [JumpHost(host: "a")]), loop)
        }
    }

    @Test func aMalformedProxyJumpNamesItsLine() {
        let bad = SSHConfig(parsing: "Host web\n  ProxyJump bastion:0\n", path: "/c", home: "/h")
        let error = #expect(throws: SSHConfig.Refusal.self) { try bad.settings(for: "web") }
        #expect(
            error?.description.hasPrefix("/c:2: error: ProxyJump (for host web) \"bastion:0\" has no valid port")
                == true,
            "\(String(describing: error))")
    }

    @Test(arguments: [
        ("ProxyCommand ssh -W %h:%p bastion", "ProxyCommand"), ("RemoteCommand sudo -i", "RemoteCommand"),
        ("PermitLocalCommand yes", "PermitLocalCommand"), ("HostKeyAlias other", "HostKeyAlias"),
        ("CanonicalizeHostname yes", "CanonicalizeHostname"), ("BindAddress 10.0.0.1", "BindAddress"),
        ("IdentityAgent ~/agent.sock", "IdentityAgent"), ("CertificateFile ~/.ssh/id-cert.pub", "CertificateFile"),
        ("Include other.conf", "Include"), ("AddressFamily inet6", "AddressFamily"),
    ])
    func refusedKeysAreErrorsNamingKeyFileLineAndHost(_ line: String, _ key: String) {
        let config = SSHConfig(
            parsing: "# mine\nHost web*\n  \(line)\n", path: "/home/me/.ssh/config", home: "/home/me")
        let error = #expect(throws: SSHConfig.Refusal.self) { try config.settings(for: "web1") }
        #expect(error?.key == key)
        #expect(
            error?.description.hasPrefix("/home/me/.ssh/config:3: error: \(key) (for host web1) ") == true,
            "\(String(describing: error))")
        // It concerns only the hosts it applies to.
        #expect((try? config.settings(for: "db")) != nil)
    }

    @Test func offValuesAndLaterValuesOfRefusedKeysAreFine() throws {
        let config = SSHConfig(
            parsing: "Host *\n  ProxyCommand none\n  RemoteCommand none\n  CanonicalizeHostname no\n"
                + "  IdentityAgent SSH_AUTH_SOCK\nHost web\n  ProxyCommand nc %h %p\n",
            home: "/h")
        // The first value wins, as in OpenSSH: ProxyCommand none came first.
        #expect(try config.settings(for: "web").proxyJump == nil)
        let jumpFirst = SSHConfig(parsing: "Host web\n  ProxyJump b\n  ProxyCommand nc %h %p\n", home: "/h")
        #expect(try jumpFirst.settings(for: "web").proxyJump == [JumpHost(host: "b")])
    }

    @Test func matchHostAndOriginalHostAreEvaluatedOthersRefused() throws {
        let config = SSHConfig(
            parsing: "Host web1\n  HostName web1.internal\nMatch host *.internal\n  User deploy\n"
                + "Match originalhost db !all\n  User never\nMatch originalhost db exec \"true\"\n  Port 2\n",
            path: "/c", home: "/h")
        #expect(try config.settings(for: "web1").user == "deploy")
        #expect(try config.settings(for: "web2").user == nil)
        // `exec` after a criterion that failed is never reached, as in OpenSSH.
        #expect(try config.settings(for: "web1").port == nil)
        let error = #expect(throws: SSHConfig.Refusal.self) { try config.settings(for: "db") }
        #expect(
            error?.description.hasPrefix("/c:7: error: Match exec (for host db) is not supported") == true,
            "\(String(describing: error))")
    }

    @Test func matchLocalUserIsTheUserRunningTarmac() throws {
        let config = SSHConfig(parsing: "Match localuser me,ci\n  ProxyJump bastion\n", path: "/c", home: "/h")
        #expect(try config.settings(for: "web", localUser: "me").proxyJump == [JumpHost(host: "bastion")])
        #expect(try config.settings(for: "web", localUser: "other").proxyJump == nil)
        let endpoint = try config.endpoint(for: SSHHostSettings(name: "web"), home: "/h", currentUser: "ci")
        #expect(endpoint.jumps.map(\.name) == ["bastion"])
    }

    @Test func includeIsFollowedWhenTheCallerReadsFiles() throws {
        let config = SSHConfig(parsing: "Include conf.d/*\nHost *\n  User fallback\n", home: "/h") { pattern in
            pattern == "/h/.ssh/conf.d/*"
                ? [("/h/.ssh/conf.d/web", "Host web\n  ProxyJump bastion\n  User inner\n")] : []
        }
        let web = try config.settings(for: "web")
        #expect(web.proxyJump == [JumpHost(host: "bastion")] && web.user == "inner")
        #expect(try config.settings(for: "db").user == "fallback")
    }
}
