import Foundation
import TarmacTestSupport

@testable import TarmacCore

/// The inputs under `Fixtures/validation`: appspec.yml and tarmac.yml texts, the revision trees
/// they are checked against, and their `.expected` goldens (compared by TarmacTestSupport's `Golden`).
enum ValidationFixtures {
    /// The repository's `Fixtures/validation` directory.
    static var directory: String { TestPaths.fixtures + "/validation" }

    /// Fixture names (without the extension) ending in `suffix`, sorted.
    static func names(endingWith suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }.sorted()
    }

    /// The fixture's bytes as they are (a byte-order mark kept: `String(contentsOfFile:)` drops it).
    static func read(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)), as: UTF8.self)
    }

    /// Compares `actual` with the golden `Fixtures/validation/<name>`, or rewrites it when updating.
    static func check(_ actual: String, against name: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        try Golden.check(actual, at: directory + "/" + name, file: file, line: line)
    }

    /// Loads `<name>.tree`: lines `KIND PATH [:: CONTENT]`, KIND f (file), x (executable), d, l, s;
    /// CONTENT takes `\n`, `\r` and `\xHH` escapes.
    static func tree(_ name: String) throws -> RevisionTree? {
        guard let text = try? read(name + ".tree") else { return nil }
        var tree = RevisionTree()
        for line in text.split(separator: "\n") where !line.isEmpty {
            let parts = line.components(separatedBy: " :: ")
            let head = parts[0].split(separator: " ", maxSplits: 1).map(String.init)
            let kind: RevisionTree.Kind = ["d": .directory, "l": .symlink, "s": .submodule][head[0]] ?? .file
            tree.insert(head[1], RevisionTree.Entry(kind: kind, executable: head[0] == "x"))
            if parts.count > 1 { tree.contents[head[1]] = unescape(parts[1]) }
        }
        return tree
    }

    private static func unescape(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while let c = chars.popFirst() {
            guard c == UInt8(ascii: "\\"), let next = chars.popFirst() else {
                bytes.append(c)
                continue
            }
            switch next {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "x"):
                let hex = String(decoding: chars.prefix(2), as: UTF8.self)
                chars = chars.dropFirst(2)
                bytes.append(UInt8(hex, radix: 16) ?? 0)
            default: bytes.append(next)
            }
        }
        return bytes
    }

    /// Every diagnostic on its own line, in file order.
    static func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.sortedByLocation().map { $0.description + "\n" }.joined()
    }
}
