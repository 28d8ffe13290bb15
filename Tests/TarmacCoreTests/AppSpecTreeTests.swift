import Testing

@testable import TarmacCore

/// Checks against the revision and the AppSpec file name chain.
@Suite struct AppSpecTreeTests {
    static func tree(_ paths: [String: RevisionTree.Kind], executable: Bool = true) -> RevisionTree {
        RevisionTree(entries: paths.mapValues { RevisionTree.Entry(kind: $0, executable: executable) })
    }

    @Test func locatorPrefersYmlThenYaml() {
        #expect(AppSpecLocator.locate(in: Self.tree(["appspec.yaml": .file])).0 == "appspec.yaml")
        let both = AppSpecLocator.locate(in: Self.tree(["appspec.yaml": .file, "appspec.yml": .file]))
        #expect(both.0 == "appspec.yml")
        #expect(both.1.map(\.severity) == [.warning])
        #expect(
            AppSpecLocator.locate(in: Self.tree(["x.yml": .file, "appspec.yml": .file]), configured: "x.yml").0
                == "x.yml")
    }

    @Test func locatorListsTheRootWhenMissing() {
        let (name, diagnostics) = AppSpecLocator.locate(in: Self.tree(["site/index.html": .file, "Makefile": .file]))
        #expect(name == nil)
        #expect(
            diagnostics.map(\.description) == [
                "error: the revision has no AppSpec: none of appspec.yml, appspec.yaml is at its root; the root holds: Makefile, site"
            ])
        let cased = AppSpecLocator.locate(in: Self.tree(["AppSpec.yml": .file]))
        #expect(cased.1.first?.message.contains("rename \"AppSpec.yml\" to \"appspec.yml\"") == true)
        let dir = AppSpecLocator.locate(in: Self.tree(["appspec.yml/x": .file]))
        #expect(dir.0 == nil && dir.1.count == 2)
    }

    @Test func missingSourceAndScriptAreErrors() {
        let text =
            "version: 0.0\nos: linux\nfiles:\n  - {source: web, destination: /w}\nhooks:\n  AfterInstall:\n    - location: s.sh\n"
        let (spec, diagnostics) = AppSpec.parse(text, file: "a.yml", tree: Self.tree(["index.html": .file]))
        #expect(spec == nil)
        #expect(
            diagnostics.map(\.description) == [
                "a.yml:4:5: error: files source \"web\" does not exist in the revision; the revision root holds: index.html",
                "a.yml:7:17: error: hooks.AfterInstall script \"s.sh\" does not exist in the revision; the revision root holds: index.html",
            ])
    }

    @Test func cleanTreeGivesNoDiagnostics() {
        let text =
            "version: 0.0\nos: linux\nfiles:\n  - {source: /, destination: /srv}\nhooks:\n  AfterInstall:\n    - location: s.sh\n"
        var tree = Self.tree(["s.sh": .file])
        tree.contents["s.sh"] = Array("#!/bin/sh\necho ok\n".utf8)
        let (spec, diagnostics) = AppSpec.parse(text, file: "a.yml", tree: tree)
        #expect(spec != nil && diagnostics.isEmpty, "\(diagnostics)")
    }

    @Test(arguments: [
        ("#!/bin/sh\r\necho\r\n", "CRLF"),
        ("\u{FEFF}#!/bin/sh\n", "byte-order mark"),
        ("echo hi\n", "no #! line"),
    ])
    func scriptContentWarnings(_ content: String, _ fragment: String) throws {
        let text = "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: s.sh\n"
        var tree = Self.tree(["s.sh": .file])
        tree.contents["s.sh"] = Array(content.utf8)
        let (spec, diagnostics) = AppSpec.parse(text, file: "a.yml", tree: tree)
        #expect(spec != nil)
        #expect(diagnostics.count == 1 && diagnostics[0].message.contains(fragment), "\(diagnostics)")
    }

    @Test func notExecutableIsAWarning() {
        let text = "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: s.sh\n"
        let (spec, diagnostics) = AppSpec.parse(
            text, file: "a.yml", tree: Self.tree(["s.sh": .file], executable: false))
        #expect(spec != nil)
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics.first?.message.contains("git update-index --chmod=+x s.sh") == true)
    }
}
