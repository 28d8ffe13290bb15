import ArgumentParser
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHost

/// The anti-rollback check of one `apply --trust-key`, and the mark it raises afterwards.
struct ApplyRollback: Sendable {
    var guardRunner: AntiRollback?
    var decision: RollbackDecision?

    /// The mark this install goes below, on `--allow-downgrade`.
    var downgradeFrom: HighWaterMark? {
        if case .downgrade(let mark)? = decision { return mark }
        return nil
    }

    /// Raises the mark once the deployment ran (a refused plan changed nothing, so it accepted nothing).
    func finish(_ result: HostResult) async {
        guard let guardRunner, let decision, result.outcome != .refused, result.outcome != .skipped else { return }
        do {
            try await guardRunner.record(decision)
        } catch {
            Console.say("warning: the high-water mark was not raised: \(error)")
        }
    }
}

extension ApplyCommand {
    /// Reads the host's high-water mark for a signed bundle and decides; a refusal exits 2
    /// before anything is changed. Unsigned installs (no --trust-key) are not judged.
    func checkRollback(_ staged: StagedBundle, request: DeploymentRequest, trusted: Bool) async throws
        -> ApplyRollback
    {
        guard trusted else {
            if allowDowngrade { Console.say("warning: --allow-downgrade has no effect without --trust-key") }
            return ApplyRollback()
        }
        let runner = AntiRollback(transport: LocalTransport(), layout: request.layout)
        let revision = staged.report.manifest?.revision ?? String(staged.report.sha256.prefix(12))
        let decision: RollbackDecision
        do {
            decision = try await runner.check(
                sequence: staged.report.manifest?.commitTime, revision: revision,
                deploymentID: request.deploymentID, allowDowngrade: allowDowngrade)
        } catch let problem as HostRecords.Problem {
            Console.say("error: \(problem)")
            Console.say("nothing was changed")
            throw ExitCode(problem.unsafe ? Exit.invalidInput : Exit.failed)
        }
        if case .refuse(let message) = decision {
            Console.say("error: \(message)")
            Console.say("nothing was changed")
            throw ExitCode(Exit.invalidInput)
        }
        return ApplyRollback(guardRunner: runner, decision: decision)
    }
}
