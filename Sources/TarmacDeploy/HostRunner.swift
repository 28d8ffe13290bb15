import Foundation
import Synchronization
import TarmacCore
import TarmacEngine
import TarmacHost

/// Carries a `HostMachine`'s actions out: runs its programs over the host's transport, the
/// group's traffic commands on the build box, and passes progress on. It decides nothing.
struct HostRunner: Sendable {
    var machine: HostMachine
    let deployment: HostDeployment
    let progress: @Sendable (DeploymentProgress) -> Void

    init(
        deployment: HostDeployment, request: DeploymentRequest,
        progress: @escaping @Sendable (DeploymentProgress) -> Void
    ) {
        self.machine = HostMachine(
            request: request, hostName: deployment.transport.hostName, hasTraffic: deployment.traffic != nil)
        self.deployment = deployment
        self.progress = progress
    }

    /// Carries out `actions` and every action the answers lead to, until the step is over.
    mutating func drive(_ actions: [HostAction]) async -> HostStepResult {
        var actions = actions
        while true {
            var answer: HostInput?
            for action in actions {
                switch action {
                case .report(let report): progress(report)
                case .run(let program): answer = .program(await run(program))
                case .traffic(let event):
                    let traffic =
                        deployment.traffic ?? { event, _ in EventResult(name: event.rawValue, status: .succeeded) }
                    answer = .traffic(await traffic(event, machine.hostName))
                case .findDelta(let base):
                    let lookup = await machine.request.deltas?.lookup(baseManifestSHA256: base)
                    answer = .delta(lookup ?? .unavailable("deltas are off"))
                case .done(let step): return step
                }
            }
            guard let answer else { preconditionFailure("HostMachine: actions without a step to wait for") }
            if deployment.stopRequested() { machine.requestStop() }
            actions = machine.received(answer, at: deployment.now())
        }
    }

    /// Runs a program, passing hook output and notes on as progress. A note that explains a
    /// failed step is left to the event's failure message, not shown twice.
    func run(_ program: HostProgram) async -> Result<ProgramOutcome, any Error> {
        let progress = self.progress
        let event = program.event
        let failed = Mutex(false)
        do {
            return .success(
                try await deployment.transport.run(program.script, input: program.input) { line in
                    switch line {
                    case .output(let stream, let text):
                        progress(.output(event: event, stream: stream.rawValue, text: text))
                    case .step(_, "failed"): failed.withLock { $0 = true }
                    case .note(let text) where !failed.withLock({ $0 }):
                        progress(.note(HostRunner.readable(note: text, event: event)))
                    default: break
                    }
                })
        } catch {
            return .failure(error)
        }
    }

    /// Hook notes name their script by index (`script:0 …`); say the event instead.
    static func readable(note: String, event: String) -> String {
        guard note.hasPrefix("script:"), let space = note.firstIndex(of: " ") else { return note }
        return "\(event): " + note[note.index(after: space)...]
    }
}
