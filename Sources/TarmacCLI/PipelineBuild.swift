import Foundation
import TarmacHistory

/// The build stage (placeholder until the build runner lands).
struct PipelineBuild {
    let project: ProjectContext
    let store: HistoryStore
    let id: String

    func run(_ stage: StageRecord, detail: ExecutionDetail) async throws -> StageOutcome {
        .ended(.failed, message: "the build stage is not available yet")
    }
}
