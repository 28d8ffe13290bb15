/// Why an install cannot go ahead: every problem the planner found, in the order found
/// (copies in AppSpec `files` order, then permissions).
public struct InstallPlanFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Never empty.
    public var problems: [PlanProblem]

    /// Wraps the problems of one planning run.
    public init(problems: [PlanProblem]) {
        self.problems = problems
    }

    /// One problem per line, `path: message`.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
