import Foundation
import TarmacCore
import TarmacHistory

extension PipelineStages {
    /// Holds a deploy stage until its group's window is open. The stage says so while it waits
    /// ("waiting for window …, opens at …") and after ("waited for window …, opened at …").
    /// Returns nil to deploy now, or how the stage ended: Stopped on request (Ctrl-C, or a
    /// kill: the runner is then found dead and its execution stopped), Failed when the window
    /// does not open in the search horizon.
    func waitForWindow(_ stage: StageRecord, group: DeploymentGroup) async throws -> StageOutcome? {
        guard let window = group.window else { return nil }
        var announced: Date?
        while true {
            let now = context.clock.now()
            if window.isOpen(at: now) {
                guard let opened = announced else { return nil }
                let message = "waited for window \(window), opened at \(window.describe(opened))"
                try store.updateStage(id, position: stage.position, status: .inProgress, message: message)
                context.events(.windowOpened(group: group.name, window, at: now))
                return nil
            }
            if context.services.stopRequested() {
                return try end(stage, .stopped, "stopped on request while waiting for window \(window)")
            }
            guard let opens = window.nextOpening(atOrAfter: now) else {
                return try end(
                    stage, .failed,
                    "window \(window) of \(group.name) does not open in the next \(DeploymentWindow.searchDays) days")
            }
            if opens != announced {
                let message = "waiting for window \(window), opens at \(window.describe(opens))"
                try store.updateStage(id, position: stage.position, status: .inProgress, message: message)
                context.events(.waitingForWindow(group: group.name, window, opensAt: opens))
                announced = opens
            }
            try await Task.sleep(for: PipelineRunner.pollInterval)
        }
    }
}
