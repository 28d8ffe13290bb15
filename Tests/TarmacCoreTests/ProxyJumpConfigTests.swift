import Testing

@testable import TarmacCore

/// A group's `proxy_jump` and the `ProxyJump` chain syntax shared with `~/.ssh/config`.
@Suite struct ProxyJumpConfigTests {
    private func group(_ value: String) -> (DeploymentGroup?, [String]) {
        let (config, diagnostics) = ProjectConfig.parse(
            "application: app\ngroups:\n  g:\n    hosts: [h]\n    proxy_jump: \(value)\n", file: "t.yml")
        return (config?.groups.first, diagnostics.map(\.description))
    }

    @Test func aChainOfHopsWithUsersAndPorts() throws {
        let (group, diagnostics) = group("\"ops@bastion.example.com:2222, inner,[fd00::1]:22\"")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(
            group?.proxyJump == [
                JumpHost(user: "ops", host: "bastion.example.com", port: 2222), JumpHost(host: "inner"),
                JumpHost(host: "fd00::1", port: 22),
            ])
        #expect(group?.proxyJump?.map(\.description) == ["ops@bastion.example.com:2222", "inner", "[fd00::1]:22"])
    }

    @Test func noneMeansConnectDirectlyAndAbsentMeansAskTheSSHConfig() {
        #expect(group("none").0?.proxyJump == [])
        let (config, _) = ProjectConfig.parse("application: app\ngroups:\n  g:\n    hosts: [h]\n", file: "t.yml")
        #expect(config?.groups.first?.proxyJump == nil)
    }

    @Test(arguments: [
        (
            "\"bastion:99999\"",
            "t.yml:5:17: error: groups.g.proxy_jump \"bastion:99999\" has no valid port (1 to 65535); "
                + "write [user@]host[:port], e.g. deploy@bastion.example.com:2222"
        ),
        (
            "\"a,,b\"",
            "t.yml:5:17: error: groups.g.proxy_jump has an empty hop; "
                + "write [user@]host[:port], e.g. deploy@bastion.example.com:2222"
        ),
        (
            "\"@bastion\"",
            "t.yml:5:17: error: groups.g.proxy_jump \"@bastion\" has an empty user; "
                + "write [user@]host[:port], e.g. deploy@bastion.example.com:2222"
        ),
        (
            "\"ssh://bastion\"",
            "t.yml:5:17: error: groups.g.proxy_jump \"ssh://bastion\": ssh:// URIs are not supported; "
                + "write [user@]host[:port], e.g. deploy@bastion.example.com:2222"
        ),
        ("[a, b]", "t.yml:5:17: error: groups.g.proxy_jump must be a single value, not a list"),
        (
            "\"-oProxyCommand=x\"",
            "t.yml:5:17: error: groups.g.proxy_jump \"-oProxyCommand=x\" is not a host; "
                + "write [user@]host[:port], e.g. deploy@bastion.example.com:2222"
        ),
    ])
    func badValuesAreErrorsAtTheirPlace(_ value: String, _ expected: String) {
        let (group, diagnostics) = group(value)
        #expect(group == nil)
        #expect(diagnostics == [expected])
    }
}
