import Testing

@testable import TarmacCore

/// One AppSpec rule per row: a document, and the one diagnostic it must produce.
@Suite struct AppSpecRuleTests {
    static let head = "version: 0.0\nos: linux\n"

    /// (body after the head, expected "line:col: severity: message-prefix").
    static let rows: [(String, String)] = [
        ("files:\n  - source: a\n", "4:5: error: files[0].destination is missing"),
        ("files:\n  - source: a\n    destination: ~\n", "4:5: error: files[0].destination is missing"),
        (
            "files:\n  - {source: a, destination: /x/../y}\n",
            "4:30: error: files[0].destination \"/x/../y\" has a \"..\""
        ),
        ("files: {source: a}\n", "3:8: error: files must be a list"),
        ("file_exists_behavior: KEEP\n", "3:23: error: file_exists_behavior \"KEEP\" is not valid"),
        ("permissions:\n  - owner: bob\n", "4:5: error: permissions[0].object is missing"),
        ("permissions:\n  - object: \"  \"\n    owner: bob\n", "4:13: error: permissions[0].object is empty"),
        ("permissions:\n  - object: /a\n    acls: u:bob:7\n", "5:11: error: permissions[0].acls must be a list"),
        ("permissions:\n  - object: /a\n    type: file\n", "5:11: warning: permissions[0].type should be a list"),
        (
            "permissions:\n  - object: /a\n    context: {name: u}\n",
            "5:14: error: permissions[0].context.type is missing"
        ),
        (
            "hooks:\n  DownloadBundle:\n    - location: a.sh\n",
            "4:3: error: hooks event \"DownloadBundle\" is not scriptable"
        ),
        (
            "hooks:\n  BlockTraffic:\n    - location: a.sh\n",
            "4:3: error: hooks event \"BlockTraffic\" is not scriptable"
        ),
        ("hooks:\n  AllowTraffic: [{location: a.sh}]\n", "4:3: error: hooks event \"AllowTraffic\" is not scriptable"),
        (
            "hooks:\n  Install:\n  AfterInstall:\n    - location: run me.sh\n",
            "6:17: warning: hooks.AfterInstall[0].location \"run me.sh\" has a space"
        ),
        ("hooks:\n  Smoke:\n    - location: a.sh\n", "4:3: warning: hooks event \"Smoke\" is not a lifecycle event"),
        ("hooks:\n  AfterInstall:\n    - location: \"  \"\n", "5:17: error: hooks.AfterInstall[0].location is empty"),
        (
            "hooks:\n  AfterInstall:\n    - location: /\n",
            "5:17: error: hooks.AfterInstall[0].location \"/\" names the bundle root"
        ),
        (
            "hooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: abc\n",
            "6:16: error: hooks.AfterInstall[0].timeout \"abc\" is not a number"
        ),
        (
            "hooks:\n  AfterInstall:\n    - location: a.sh\n      runas: bob smith\n",
            "6:14: error: hooks.AfterInstall[0].runas \"bob smith\""
        ),
        ("hooks: [a]\n", "3:8: error: hooks must be a mapping"),
        ("os2: linux\n", "3:1: warning: unknown key \"os2\" at the top level"),
    ]

    @Test(arguments: rows)
    func rule(_ body: String, _ expected: String) {
        let (spec, diagnostics) = AppSpec.parse(Self.head + body, file: "appspec.yml")
        let rendered = diagnostics.map(\.description)
        #expect(rendered.contains { $0.hasPrefix("appspec.yml:" + expected) }, "got \(rendered)")
        #expect((spec == nil) == diagnostics.hasErrors)
    }

    @Test func unquotedLeadingZeroModeIsOctalWithWarning() throws {
        let (spec, diagnostics) = AppSpec.parse(
            Self.head + "permissions:\n  - object: /a\n    mode: 0644\n", file: "a.yml")
        #expect(try #require(spec).permissions[0].mode == FileMode(bits: 0o644))
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics[0].location == SourceLocation(file: "a.yml", line: 5, column: 11))
    }

    @Test(arguments: ["\"0644\"", "644", "'644'"])
    func modeWithoutWarning(_ mode: String) throws {
        let (spec, diagnostics) = AppSpec.parse(
            Self.head + "permissions:\n  - object: /a\n    mode: \(mode)\n", file: "a.yml")
        #expect(try #require(spec).permissions[0].mode?.description == "0644")
        #expect(diagnostics.isEmpty)
    }

    @Test(arguments: ["0.0", "0", "0.00"])
    func versionsAccepted(_ version: String) {
        let (spec, diagnostics) = AppSpec.parse("version: \(version)\nos: linux\n", file: "a.yml")
        #expect(spec != nil && diagnostics.isEmpty)
    }

    @Test(arguments: [
        ("\"0.0\"", "is quoted"), ("'0'", "is quoted"), ("1.0", "is not supported"), ("invalid", "is not supported"),
        ("[0]", "must be 0.0"),
    ])
    func versionsRejected(_ version: String, _ fragment: String) {
        let (spec, diagnostics) = AppSpec.parse("version: \(version)\nos: linux\n", file: "a.yml")
        #expect(spec == nil)
        #expect(diagnostics.count == 1 && diagnostics[0].message.contains(fragment), "\(diagnostics)")
        #expect(diagnostics.first?.location?.line == 1)
    }

    @Test(arguments: ["windows", "Linux", "ubuntu"])
    func osRejected(_ os: String) {
        let (spec, diagnostics) = AppSpec.parse("version: 0.0\nos: \(os)\n", file: "a.yml")
        #expect(spec == nil && diagnostics.count == 1)
    }

    @Test func missingVersionAndOsAreBothReported() {
        let (_, diagnostics) = AppSpec.parse("files: []\n", file: "a.yml")
        #expect(
            diagnostics.map(\.description) == [
                "a.yml:1:1: error: version is missing; add \"version: 0.0\" at the top level",
                "a.yml:1:1: error: os is missing; add \"os: linux\" at the top level",
            ])
    }

    @Test func hookDefaultsAndNormalisation() throws {
        let body = """
            hooks:
              BeforeInstall:
              ApplicationStop: []
              AfterInstall:
                - location: /scripts//a.sh
                  timeout: "300"
                  runas: "   "
                - location: ./b.sh
                  runas: " deploy "
                  sudo: true

            """
        let (spec, diagnostics) = AppSpec.parse(Self.head + body, file: "a.yml")
        let hooks = try #require(spec).hooks
        #expect(
            diagnostics.map(\.description) == [
                "a.yml:6:3: warning: hooks.AfterInstall: the script timeouts add up to 3900 s (3600 s for each script "
                    + "without timeout), more than the 3600 s one event may take; lower the timeouts"
            ])
        #expect(hooks.map(\.name) == ["AfterInstall"])
        #expect(hooks[0].event == .afterInstall)
        #expect(hooks[0].scripts.map(\.location) == ["scripts/a.sh", "b.sh"])
        #expect(hooks[0].scripts.map(\.timeout) == [300, 3600])
        #expect(hooks[0].scripts.map(\.runas) == [nil, "deploy"])
        #expect(hooks[0].scripts.map(\.sudo) == [false, true])
    }

    @Test func fileMappingNormalisation() throws {
        let body = "files:\n  - {source: /, destination: /srv/app/}\n  - {source: ./web/, destination: //var//www}\n"
        let (spec, _) = AppSpec.parse(Self.head + body, file: "a.yml")
        let files = try #require(spec).files
        #expect(files.map(\.sourcePath) == ["", "web"])
        #expect(files.map(\.destination) == ["/srv/app", "/var/www"])
    }

    @Test func everyProblemAtOnce() throws {
        let text = try ValidationFixtures.read("all-at-once.appspec.yml")
        let (spec, diagnostics) = AppSpec.parse(text, file: "appspec.yml")
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(spec == nil)
        #expect(errors.count >= 20)
        #expect(Set(errors.compactMap { $0.location?.line }).count >= 15)
        #expect(errors.first?.location == SourceLocation(file: "appspec.yml", line: 2, column: 10))
    }

    @Test func locationsUseTheCallersPath() {
        let (_, diagnostics) = AppSpec.parse("version: 1\nos: linux\n", file: "site/appspec.yml")
        #expect(diagnostics.first?.description.hasPrefix("site/appspec.yml:1:10: error:") == true)
    }

    @Test func emptyAndNonMapping() {
        #expect(
            AppSpec.parse("", file: "a.yml").1.map(\.description)
                == [
                    "a.yml: error: the AppSpec is empty (only blank lines or comments); it needs at least \"version: 0.0\" and \"os: linux\""
                ])
        #expect(AppSpec.parse("just text\n", file: "a.yml").1.first?.message.contains("must be a YAML mapping") == true)
    }
}
