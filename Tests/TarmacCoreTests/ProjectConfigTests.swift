import Testing

@testable import TarmacCore

/// tarmac.yml: the design example, defaults, unknown keys, stages and group ids.
@Suite struct ProjectConfigTests {
    @Test func designExampleValidatesClean() throws {
        let (config, diagnostics) = ProjectConfig.parse(
            try ValidationFixtures.read("design-example.tarmac.yml"), file: "tarmac.yml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let c = try #require(config)
        #expect(c.application == "docs-site")
        #expect(c.groups.map(\.name) == ["staging", "production"])
        let production = try #require(c.group(named: "production"))
        #expect(production.config == .halfAtATime)
        #expect(production.hosts[1] == DeploymentGroup.Host(name: "web2", address: "10.20.0.12", port: 2222))
        #expect(production.traffic?.block == "haproxy-ctl disable app/$TARMAC_HOST_NAME")
        #expect(c.deploymentConfigs == [DeploymentConfig(name: "NinetyPercent", rule: .fleetPercent(90))])
        #expect(c.pipeline?.stages.count == 3)
    }

    @Test func defaultsAreFilledIn() throws {
        let (config, diagnostics) = ProjectConfig.parse(
            "application: app\ngroups:\n  g:\n    hosts: [h]\n", file: "t.yml")
        #expect(diagnostics.isEmpty)
        let c = try #require(config)
        #expect(c.bundle == BundleSettings(root: ".", format: .tarGz))
        let g = c.groups[0]
        #expect(g.config == .allAtOnce && g.deploymentRoot == "/var/lib/tarmac" && g.fileExistsBehavior == .disallow)
        #expect(g.maxRevisions == 5 && !g.autoRollback && !g.sudo && !g.ignoreApplicationStopFailures)
        #expect(g.hosts == [DeploymentGroup.Host(name: "h", address: "h", port: 22)])
        #expect(g.maxUnpackedSize == 4 << 30)
        #expect(c.pipeline == nil)
    }

    @Test func maxUnpackedSizeTakesBytesOrUnits() throws {
        for (text, bytes) in [("8G", Int64(8) << 30), ("512MiB", Int64(512) << 20), ("1048576", Int64(1) << 20)] {
            let (config, diagnostics) = ProjectConfig.parse(
                "application: app\ngroups:\n  g:\n    hosts: [h]\n    max_unpacked_size: \(text)\n", file: "t.yml")
            #expect(diagnostics.isEmpty, "\(diagnostics)")
            #expect(config?.groups[0].maxUnpackedSize == bytes, "\(text)")
        }
    }

    @Test func unknownKeysAreErrorsWithLineAndColumn() {
        let (config, diagnostics) = ProjectConfig.parse(
            "application: app\napplcation: x\nbundle: {root: ., zip: 1}\n", file: "tarmac.yml")
        #expect(config == nil)
        #expect(
            diagnostics.map(\.description) == [
                "tarmac.yml:2:1: error: unknown key \"applcation\" at the top level (did you mean \"application\"?); "
                    + "remove it or use one of: application, bundle, deployment_configs, groups, pipeline",
                "tarmac.yml:3:19: error: unknown key \"zip\" in bundle; remove it or use one of: root, format",
            ])
    }

    @Test func stageNamingAMissingGroup() {
        let text =
            "application: app\ngroups:\n  staging: {hosts: [a]}\npipeline:\n  stages:\n    - deploy: production\n"
        let (config, diagnostics) = ProjectConfig.parse(text, file: "tarmac.yml")
        #expect(config == nil)
        #expect(
            diagnostics.map(\.description) == [
                "tarmac.yml:6:15: error: pipeline.stages[0].deploy names the group \"production\", which groups does not define; "
                    + "use one of staging"
            ])
    }

    @Test(arguments: [
        ("application: [x]\n", "1:14: error: application must be a single value"),
        ("groups: {}\n", "1:1: error: application is missing"),
        (
            "application: a\ngroups:\n  g: {hosts: [a, {name: a}]}\n",
            "3:18: error: groups.g.hosts[1] repeats the host name \"a\""
        ),
        ("application: a\ngroups:\n  g: {hosts: []}\n", "3:14: error: groups.g.hosts is empty"),
        (
            "application: a\ngroups:\n  g: {hosts: [a], max_revisions: two}\n",
            "3:34: error: groups.g.max_revisions \"two\" is not a number"
        ),
        (
            "application: a\ngroups:\n  g: {hosts: [a], max_unpacked_size: lots}\n",
            "3:38: error: groups.g.max_unpacked_size \"lots\" is not a size"
        ),
        (
            "application: a\ngroups:\n  g: {hosts: [a], identity: [x]}\n",
            "3:29: error: groups.g.identity must be a single value"
        ),
        ("application: a\npipeline:\n  stages: []\n", "3:11: error: pipeline.stages has no deploy stage"),
        ("application: a\npipeline: {trigger: {branches: [main]}}\n", "2:11: error: pipeline.stages is missing"),
        (
            "application: a\ndeployment_configs:\n  X: {minimum_healthy_hosts: {type: HOST_COUNT, value: -1}}\n",
            "3:56: error: deployment_configs.X.minimum_healthy_hosts.value -1 is negative"
        ),
        (
            "application: a\ndeployment_configs:\n  X: {minimum_healthy_hosts: {type: PERCENT, value: 1}}\n",
            "3:37: error: deployment_configs.X.minimum_healthy_hosts.type \"PERCENT\" is not valid"
        ),
    ])
    func rule(_ text: String, _ expected: String) {
        let (config, diagnostics) = ProjectConfig.parse(text, file: "tarmac.yml")
        #expect(config == nil)
        #expect(
            diagnostics.contains { $0.description.hasPrefix("tarmac.yml:" + expected) },
            "\(diagnostics.map(\.description))")
    }

    @Test func customConfigIsUsableByName() throws {
        let text =
            "application: a\ndeployment_configs:\n  Most: {minimum_healthy_hosts: {type: HOST_COUNT, value: 2}}\n"
            + "groups:\n  g: {hosts: [a, b, c], config: Most}\n  h: {hosts: [a], config: CodeDeployDefault.OneAtATime}\n"
        let (config, diagnostics) = ProjectConfig.parse(text, file: "t.yml")
        #expect(diagnostics.isEmpty)
        #expect(try #require(config).groups.map(\.config.name) == ["Most", "OneAtATime"])
    }

    @Test func groupIdsAreStableAndDistinct() {
        #expect(DeploymentGroupID.make(application: "docs-site", group: "production") == "g-95775161edfd5d71")
        // FNV-1a 64 of one NUL byte.
        #expect(DeploymentGroupID.make(application: "", group: "") == "g-af63bd4c8601b7df")
        #expect(
            DeploymentGroupID.make(application: "ab", group: "c")
                != DeploymentGroupID.make(application: "a", group: "bc"))
    }

    @Test(arguments: [
        (DeploymentConfig.allAtOnce, 9, 0), (.halfAtATime, 9, 5), (.halfAtATime, 1, 1), (.oneAtATime, 9, 8),
        (.oneAtATime, 1, 0),
        (DeploymentConfig(name: "x", rule: .fleetPercent(95)), 10, 10),
        (DeploymentConfig(name: "x", rule: .fleetPercent(40)), 9, 4),
    ])
    func minimumHealthyArithmetic(_ config: DeploymentConfig, _ hosts: Int, _ expected: Int) {
        #expect(config.minimumHealthy(hostCount: hosts) == expected)
    }
}

/// The SSH timeouts of a group.
@Suite struct GroupTimeoutTests {
    @Test func timeoutsAreWholeSecondsFromOne() {
        let (config, diagnostics) = ProjectConfig.parse(
            "application: app\ngroups:\n  g:\n    hosts: [h]\n    connect_timeout: 3\n    io_timeout: 0\n",
            file: "t.yml")
        #expect(config == nil)
        #expect(
            diagnostics.map(\.description) == ["t.yml:6:17: error: groups.g.io_timeout 0 must be 1 or more (seconds)"])
        let (ok, _) = ProjectConfig.parse(
            "application: app\ngroups:\n  g:\n    hosts: [h]\n    connect_timeout: 3\n", file: "t.yml")
        #expect(ok?.groups.first?.connectTimeout == 3 && ok?.groups.first?.ioTimeout == 30)
    }
}
