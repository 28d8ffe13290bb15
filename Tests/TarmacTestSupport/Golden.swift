import Foundation

/// Golden files under Fixtures/ (goldens/ unless a path is given); `TARMAC_UPDATE_GOLDENS=1` (make goldens) rewrites them.
///
/// A mismatch is a thrown `GoldenMismatch`, which fails the calling test: this target is a
/// plain library (built by `swift build -c release` too), so it does not import Testing.
/// Rewriting a golden fails the test too, naming the file: an update never passes silently.
public enum Golden {
    /// True under `TARMAC_UPDATE_GOLDENS=1`.
    public static var updating: Bool { ProcessInfo.processInfo.environment["TARMAC_UPDATE_GOLDENS"] == "1" }

    /// Compares `actual` with `Fixtures/goldens/<name>`, or rewrites it when updating.
    public static func check(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        try check(actual, at: TestPaths.fixtures + "/goldens/" + name, file: file, line: line)
    }

    /// Compares `actual` with the golden file at `path` (anywhere under Fixtures/), or rewrites it when updating.
    public static func check(_ actual: String, at path: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        let location = "\(file):\(line)"
        let expected = try? String(contentsOfFile: path, encoding: .utf8)
        if updating {
            guard actual != expected else { return }
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            throw GoldenMismatch(location: location, message: "rewrote \(path); review the diff")
        }
        guard let expected else {
            throw GoldenMismatch(location: location, message: "missing golden \(path); run make goldens")
        }
        if actual != expected {
            throw GoldenMismatch(
                location: location,
                message: "differs from \(path); run make goldens and review the diff\n"
                    + firstDifference(expected: expected, actual: actual))
        }
    }

    /// The first line where the two texts differ, both sides shown.
    static func firstDifference(expected: String, actual: String) -> String {
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let index = (0..<min(want.count, got.count)).first { want[$0] != got[$0] } ?? min(want.count, got.count)
        let show = { (lines: [Substring]) in index < lines.count ? "\"\(lines[index])\"" : "(end of text)" }
        return "first difference at line \(index + 1):\n  golden: \(show(want))\n  actual: \(show(got))"
    }
}

/// A golden comparison that failed: where it was called, and what differs.
public struct GoldenMismatch: Error, CustomStringConvertible {
    public let location: String
    public let message: String
    public var description: String { "\(location): error: \(message)" }
}
