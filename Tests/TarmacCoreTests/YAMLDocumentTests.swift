import Testing

@testable import TarmacCore

/// The located YAML layer: positions, styles, editor debris and duplicate keys.
@Suite struct YAMLDocumentTests {
    @Test func keepsRawTextStyleAndPosition() throws {
        let doc = YAMLDocument.parse("a: 0644\nb: \"0.0\"\nc:\n  - x\n", file: "f.yml")
        let root = try #require(doc.root)
        #expect(root["a"]?.scalar == YAMLScalar("0644", style: .plain))
        #expect(root["b"]?.scalar?.isQuoted == true)
        #expect(root["b"]?.location == SourceLocation(file: "f.yml", line: 2, column: 4))
        #expect(root["c"]?.items?.first?.location == SourceLocation(file: "f.yml", line: 4, column: 5))
        #expect(doc.diagnostics.isEmpty)
    }

    @Test(arguments: ["", "   \n\t\n", "# only a comment\n# another\n", "---\n", "~\n"])
    func emptyDocuments(_ text: String) {
        let doc = YAMLDocument.parse(text, file: "f.yml")
        #expect(doc.isEmpty)
        #expect(!doc.diagnostics.hasErrors)
    }

    @Test func bomAndCRLFWarnButParse() throws {
        let doc = YAMLDocument.parse("\u{FEFF}a: 1\r\nb: 2\r\n", file: "f.yml")
        #expect(try #require(doc.root)["b"]?.location.line == 2)
        #expect(doc.diagnostics.map(\.severity) == [.warning, .warning])
        #expect(doc.diagnostics[1].location == SourceLocation(file: "f.yml", line: 1, column: 5))
    }

    @Test func duplicateKeysAreReportedAndParsingGoesOn() throws {
        let text = "a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\na: 4\nc: {k: 1, k: 2}\n"
        let doc = YAMLDocument.parse(text, file: "f.yml")
        let root = try #require(doc.root)
        #expect(root.pairs?.map(\.name) == ["a", "b", "a", "c"])
        #expect(root["a"]?.scalar?.text == "1")
        let rendered = doc.diagnostics.sortedByLocation().map(\.description)
        #expect(
            rendered == [
                "f.yml:5:3: error: duplicate key \"x\" (first at line 3, column 3); keep only one of them",
                "f.yml:6:1: error: duplicate key \"a\" (first at line 1, column 1); keep only one of them",
                "f.yml:7:11: error: duplicate key \"k\" (first at line 7, column 5); keep only one of them",
            ])
    }

    @Test func quotedDuplicateKeys() throws {
        let doc = YAMLDocument.parse("\"a b\": 1\n'a b': 2\n", file: "f.yml")
        #expect(doc.root?.pairs?.count == 2)
        #expect(doc.diagnostics.first?.location?.line == 2)
    }

    @Test func syntaxErrorHasLineAndColumn() {
        let doc = YAMLDocument.parse("a: 1\nb: [x\n", file: "f.yml")
        #expect(doc.root == nil && !doc.isEmpty)
        #expect(doc.diagnostics.first?.severity == .error)
        #expect(doc.diagnostics.first?.location?.line == 3)
        #expect(doc.diagnostics.first?.message.hasPrefix("invalid YAML: ") == true)
    }

    @Test func badIndentationIsLocated() {
        let doc = YAMLDocument.parse("a:\n  b: 1\n c: 2\n", file: "f.yml")
        #expect(doc.diagnostics.first?.location?.line == 3)
    }

    @Test func aliasBombIsCapped() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...8 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        let doc = YAMLDocument.parse(text, file: "f.yml")
        #expect(doc.root == nil)
        #expect(doc.diagnostics.first?.message.contains("aliases") == true)
    }
}
