import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

extension HostMachine {
    /// The host lock: one deployment at a time per host. A lock left by a deployment this build
    /// box knows was cut off, whose holder the host finds gone, is removed once and taken again.
    /// The same program probes once it holds the lock (one round trip for both).
    mutating func acquireLock(reclaiming: Bool, prestage: Bool) -> [HostAction] {
        self.prestage = prestage
        let asked = probeRequest()
        return ask(
            LockProgram.acquire(
                layout: layout, deploymentID: request.deploymentID, runnerPID: request.runnerPID, probe: asked),
            event: "lock", .lock(reclaiming: reclaiming, asked: asked))
    }

    mutating func lockAnswered(_ input: HostInput, reclaiming: Bool, asked: ProbeRequest, at now: Date)
        -> [HostAction]
    {
        let outcome: ProgramOutcome
        switch Self.outcome(input) {
        case .success(let answer): outcome = answer
        case .failure(let error):
            problems.append(.unreachable("\(error)"))
            return [.done(.prepared(false))]
        }
        // Taken: the rest of the answer is the probe's, failed or not.
        if outcome.lines.contains(.step(name: "lock", status: "ok")) {
            locked = true
            return probeAnswered(input, asked: asked, purpose: .prepare, at: now)
        }
        if let holder = LockProgram.holder(in: outcome.lines), reclaiming, !holder.holderAlive,
            request.reclaimableLocks.contains(holder.deploymentID)
        {
            return ask(
                LockProgram.release(layout: layout, deploymentID: holder.deploymentID), event: "lock",
                .releaseStale(holder: holder.deploymentID, refusal: outcome))
        }
        return refuseLock(outcome)
    }

    mutating func staleReleaseAnswered(_ input: HostInput, holder: String, refusal: ProgramOutcome) -> [HostAction] {
        switch Self.outcome(input) {
        case .failure(let error):
            problems.append(.unreachable("\(error)"))
            return [.done(.prepared(false))]
        case .success(let release) where release.succeeded:
            warnings.append("removed the stale host lock of \(holder), whose tarmac was interrupted")
            return acquireLock(reclaiming: false, prestage: prestage)
        case .success:
            return refuseLock(refusal)
        }
    }

    /// Why the lock could not be taken: not root, held by another deployment, or the lock
    /// directory refused.
    mutating func refuseLock(_ outcome: ProgramOutcome) -> [HostAction] {
        if outcome.lines.contains(.step(name: "root", status: "failed")) {
            problems.append(.notRoot(host: hostName, notes: outcome.notes))
        } else if let holder = LockProgram.holder(in: outcome.lines) {
            problems.append(.locked(host: hostName, holder: holder, lockDirectory: layout.lockDirectory))
        } else {
            problems.append(.cannotLock(host: hostName, lockDirectory: layout.lockDirectory, notes: outcome.notes))
        }
        return [.done(.prepared(false))]
    }

    /// The receipt's program released the lock as it ended (`@step unlock ok`): `end` has no
    /// lock left to release.
    mutating func lockReleasedWithReceipt() {
        locked = false
    }

    mutating func lockReleased(_ input: HostInput) -> [HostAction] {
        locked = false
        switch Self.outcome(input) {
        case .success(let outcome) where !outcome.succeeded:
            warnings.append("could not release the host lock: \(outcome.notes.joined(separator: "; "))")
        case .failure(let error):
            warnings.append("could not release the host lock: \(error)")
        case .success: break
        }
        return [.done(.ended(finalResult()))]
    }
}
