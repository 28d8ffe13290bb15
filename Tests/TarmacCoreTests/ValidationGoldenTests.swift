import Testing

@testable import TarmacCore

/// Every fixture in `Fixtures/validation` against its `.expected` golden file.
@Suite struct ValidationGoldenTests {
    @Test(arguments: Golden.fixtures(endingWith: ".appspec.yml"))
    func appSpecFixture(_ name: String) throws {
        let text = try Golden.read(name + ".appspec.yml")
        let (spec, diagnostics) = AppSpec.parse(text, file: "appspec.yml", tree: try Golden.tree(name))
        var output = Golden.render(diagnostics)
        if let spec { output += ModelRendering.render(spec) }
        #expect((spec == nil) == diagnostics.hasErrors)
        try Golden.check(output, against: name + ".expected")
    }

    @Test(arguments: Golden.fixtures(endingWith: ".tarmac.yml"))
    func projectConfigFixture(_ name: String) throws {
        let text = try Golden.read(name + ".tarmac.yml")
        let (config, diagnostics) = ProjectConfig.parse(text, file: "tarmac.yml")
        var output = Golden.render(diagnostics)
        if let config { output += ModelRendering.render(config) }
        #expect((config == nil) == diagnostics.hasErrors)
        try Golden.check(output, against: name + ".expected")
    }

    @Test func fixturesArePresent() {
        #expect(Golden.fixtures(endingWith: ".appspec.yml").count >= 8)
        #expect(Golden.fixtures(endingWith: ".tarmac.yml").count >= 3)
    }
}
