import TarmacEngine
import Testing

@Suite("Retention (§4.9)")
struct RetentionTests {
    static let layout = HostLayout(root: "/r", groupID: "g")

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var deployments: [(String, Int64)]
        var current: String
        var max: Int
        var lastSuccessful: String?
        var expected: [String]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "nothing to delete below the limit", deployments: [("a", 1), ("b", 2)], current: "c", max: 5,
            expected: []),
        Case(
            label: "others − max + 1 oldest go", deployments: [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)],
            current: "f", max: 5, expected: ["a"]),
        Case(
            label: "the current directory is not counted", deployments: [("a", 1), ("b", 2), ("cur", 0)],
            current: "cur", max: 2, expected: ["a"]),
        Case(
            label: "oldest by mtime, not by name", deployments: [("z", 1), ("a", 9), ("m", 5)], current: "n", max: 2,
            expected: ["z", "m"]),
        Case(
            label: "the last successful is never deleted", deployments: [("a", 1), ("b", 2), ("c", 3)], current: "d",
            max: 2, lastSuccessful: "/r/g/a", expected: ["b", "c"]),
        Case(
            label: "max 1 keeps current and last successful", deployments: [("a", 1), ("b", 2), ("c", 3)],
            current: "d", max: 1, lastSuccessful: "/r/g/c/", expected: ["a", "b"]),
        Case(
            label: "the last successful still counts towards extra", deployments: [("a", 1), ("b", 2)], current: "c",
            max: 2, lastSuccessful: "/r/g/a", expected: ["b"]),
        Case(
            label: "equal mtimes break ties by name", deployments: [("y", 1), ("x", 1), ("w", 2)], current: "v", max: 2,
            expected: ["x", "y"]),
    ]

    @Test("directories to delete", arguments: cases)
    func table(_ c: Case) {
        var facts = HostFacts()
        facts.deployments = c.deployments.map { HostFacts.DeploymentDirectory(name: $0.0, mtime: $0.1) }
        facts.lastSuccessful = c.lastSuccessful
        let result = Retention.directoriesToDelete(
            facts: facts, currentDeploymentID: c.current, maxRevisions: c.max, layout: Self.layout)
        #expect(result == c.expected.map { "/r/g/\($0)" })
    }
}
