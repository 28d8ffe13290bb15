import Foundation
import Testing

/// Golden files under Fixtures/goldens/; `TARMAC_UPDATE_GOLDENS=1` (make goldens) rewrites them.
public enum Golden {
    public static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        let path = TestPaths.fixtures + "/goldens/" + name
        if ProcessInfo.processInfo.environment["TARMAC_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try? String(contentsOfFile: path, encoding: .utf8)
        #expect(expected != nil, "missing golden \(path); run make goldens", sourceLocation: sourceLocation)
        #expect(
            actual == expected, "differs from \(path); run make goldens and review the diff",
            sourceLocation: sourceLocation)
    }
}
