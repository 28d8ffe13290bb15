import Foundation
import TarmacCore
import TarmacDeploy
import TarmacHistory
import TarmacPipeline

/// How `run` and `approve` show what an execution reports (stderr, and the execution's log).
struct PipelineText: Sendable {
    let deployment = DeployConsole(json: false)

    func say(_ event: PipelineEvent) {
        switch event {
        case .cutOff(let execution): Self.cutOff(execution)
        case .nothingToRun(let id, let state): Console.say("\(id) is \(state.rawValue); there is nothing to run")
        case .superseded(let ids, let id):
            for old in ids where old != id { Console.say("\(old) is superseded by \(id) (SUPERSEDED mode)") }
        case .waiting(let id, let behind):
            Console.say("\(id) waits for \(behind.joined(separator: ", ")) (one execution at a time)")
        case .stoppedWaiting(let id): Console.say("\(id) stopped while it waited; nothing was deployed")
        case .gone(let id, let state, let message):
            Console.say("\(id) \(state.rawValue)" + (message.map { ": \($0)" } ?? "") + "; nothing more to do")
        case .failed(let message): Console.say("error: \(message)")
        case .succeeded(let id, let commit):
            Console.say("execution \(id) Succeeded: \(commit.prefix(12)) went through every stage")
        case .sourceStarted(let record): Self.sourceStarted(record)
        case .findings(let findings): Console.diagnostics(findings)
        case .skipped(let id, let reason): Console.say("execution \(id) Skipped: \(reason)")
        case .bundled(let revision, let path): Console.say("bundled \(revision) → \(path)")
        case .buildStarted(let position, let commit, let commands):
            let count = commands == 1 ? "1 command" : "\(commands) commands"
            Console.say("stage \(position): build \(commit.prefix(12)) in a clean export (\(count))")
        case .buildLine(let line):
            Console.say("  \(line.command + 1)\(line.stream == .stderr ? "!" : "|") \(line.text)")
        case .buildCommandSucceeded(let command): Console.say("  ✓ \(command)")
        case .deployStarted(let position, let group): Console.say("stage \(position): deploy to \(group)")
        case .deployment(let event): deployment.render(event)
        case .deploymentRefused(let refusal): refusal.say()
        case .waitingForWindow(let group, let window, let opensAt):
            Console.say("deploy \(group): waiting for window \(window), opens at \(window.describe(opensAt))")
        case .windowOpened(let group, let window, _):
            Console.say("deploy \(group): window \(window) is open")
        case .approvalSuperseded(let old, let id):
            Console.say("\(old) is superseded by \(id): its approval is no longer asked for")
        case .awaitingApproval(let record, let gate): Self.awaitingApproval(record, gate: gate)
        }
    }

    private static func sourceStarted(_ record: ExecutionRecord) {
        Console.say(
            "execution \(record.id): \(record.trigger == .postCommit ? "post-commit" : "manual") run of "
                + "\(record.commit.prefix(12))" + (record.subject.map { " \(Quote.text($0))" } ?? "")
                + (record.branch.map { " on \($0)" } ?? ""))
    }

    private static func awaitingApproval(_ record: ExecutionRecord, gate: String) {
        Console.say(
            "execution \(record.id) waits for approval: \(Quote.text(gate))\n"
                + "  commit \(record.commit.prefix(12))" + (record.subject.map { " \(Quote.text($0))" } ?? "") + "\n"
                + "  answer with: tarmac approve \(record.id)   or   tarmac reject \(record.id)")
    }

    /// Tells about an execution whose runner died: how far it got and what to check.
    private static func cutOff(_ execution: ExecutionDetail) {
        let record = execution.record
        let stage = execution.currentStage.map { " at stage \($0.position) (\($0.kind.rawValue) \($0.name))" } ?? ""
        Console.say(
            "warning: execution \(record.id) for \(record.commit.prefix(12)) was cut off\(stage): "
                + "\(record.runner.map { "its runner (pid \($0.pid))" } ?? "its runner") is gone; "
                + "it is now Stopped")
        if let deployment = execution.currentStage?.deploymentID {
            Console.say(
                "  its deployment \(deployment) was interrupted: `tarmac show \(deployment)` says which hosts "
                    + "have which revision; the next deployment to \(execution.currentStage?.name ?? "the group") "
                    + "takes back the host locks it left")
        }
    }
}
