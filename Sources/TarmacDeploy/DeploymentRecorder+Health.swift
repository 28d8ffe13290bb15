import Foundation
import TarmacCore

/// Bakes, their check rounds and failing checks in the journal (issue 14).
extension DeploymentRecorder {
    func record(_ report: HealthProgress) {
        switch report {
        case .bakeStarted(let zone, let number, _, let startedAt, let endsAt):
            let bake = BakeRecord(number: number, zone: zone, startedAt: startedAt, endsAt: endsAt)
            setBake(bake)
            attempt { try journal.recordBake(deploymentID: deploymentID, bake) }
        case .round(let number, let checked, let failures, let at, _):
            let failed = Dictionary(failures.map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
            let round = CheckRoundRecord(
                round: number, at: at,
                hosts: checked.map { index in
                    CheckRoundRecord.HostCheck(
                        host: hostName(index), healthy: failed[index] == nil, check: failed[index]?.check,
                        output: failed[index]?.output)
                })
            guard let bake = currentBake else { return }
            attempt { try journal.recordCheckRound(deploymentID: deploymentID, bake: bake.number, round) }
            for failure in failures { recordCheckFailure(failure, at: at) }
        case .bakeEnded(_, _, let passed, let at):
            guard var bake = currentBake else { return }
            bake.endedAt = at
            bake.passed = passed
            setBake(nil)
            attempt { try journal.recordBake(deploymentID: deploymentID, bake) }
        case .countdown:
            break
        case .hostCheckFailed(_, let failure):
            recordCheckFailure(failure, at: Date())
        }
    }

    /// A failing check as a failed `HealthCheck` event of its host, so `show` and `history` name it.
    private func recordCheckFailure(_ failure: GatedRollout.CheckFailure, at: Date) {
        let event = failure.event(at: at)
        attempt { try journal.recordEvent(deploymentID: deploymentID, host: hostName(failure.host), event) }
    }
}
