import Testing

@testable import TarmacCore

/// Every fixture in `Fixtures/validation` against its `.expected` golden file.
@Suite struct ValidationGoldenTests {
    @Test(arguments: ValidationFixtures.names(endingWith: ".appspec.yml"))
    func appSpecFixture(_ name: String) throws {
        let text = try ValidationFixtures.read(name + ".appspec.yml")
        let (spec, diagnostics) = AppSpec.parse(text, file: "appspec.yml", tree: try ValidationFixtures.tree(name))
        var output = ValidationFixtures.render(diagnostics)
        if let spec { output += ModelRendering.render(spec) }
        #expect((spec == nil) == diagnostics.hasErrors)
        try ValidationFixtures.check(output, against: name + ".expected")
    }

    @Test(arguments: ValidationFixtures.names(endingWith: ".tarmac.yml"))
    func projectConfigFixture(_ name: String) throws {
        let text = try ValidationFixtures.read(name + ".tarmac.yml")
        let (config, diagnostics) = ProjectConfig.parse(text, file: "tarmac.yml")
        var output = ValidationFixtures.render(diagnostics)
        if let config { output += ModelRendering.render(config) }
        #expect((config == nil) == diagnostics.hasErrors)
        try ValidationFixtures.check(output, against: name + ".expected")
    }

    @Test func fixturesArePresent() {
        #expect(ValidationFixtures.names(endingWith: ".appspec.yml").count >= 8)
        #expect(ValidationFixtures.names(endingWith: ".tarmac.yml").count >= 3)
    }
}
