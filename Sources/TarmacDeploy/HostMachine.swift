import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// One host's deployment as a state machine without I/O: the results of programs (lock, probe,
/// events) go in, the next program to run (or the end of a step, with its result) comes out.
/// Every per-host decision lives here: stale-lock reclaim, the early plan and its reuse, the
/// free-space check, which revision an event runs (`RevisionSelection`), and which failures
/// end the host. `HostRunner` carries its actions out over a `HostTransport`.
///
/// A host goes through steps the runner starts: `prepare` (lock, probe, plan, and with
/// `prestage` DownloadBundle ahead of its turn), `execute` (every event in order), `end`
/// (release the lock, the result). `preview` probes and plans without locking (`tarmac plan`).
struct HostMachine: Sendable {
    let request: DeploymentRequest
    let hostName: String
    /// Whether the group has traffic commands for BlockTraffic and AllowTraffic.
    let hasTraffic: Bool

    var events: [EventResult] = []
    var problems: [HostProblem] = []
    var warnings: [String] = []
    var facts = HostFacts()
    /// True once a probe's facts came back.
    var probed = false
    var installed = false
    /// What Install's program recorded it changed; nil while it has not run.
    var progressOfInstall: InstallProgress?
    /// Install's program was started but its connection was lost: what it changed is unknown.
    var installUnknown = false
    /// What Install wrote, for the receipt.
    var receiptFiles = Receipt.Files()
    /// What happens to the installed record (`tarmac verify`): Install succeeded → rewrite, failed → remove.
    var installedUpdate = ReceiptProgram.InstalledUpdate.keep
    /// DownloadBundle's result when it ran ahead of the other events (a group's pre-staging).
    var prestaged: EventResult?
    /// The early plan, while nothing could have changed the host since its probe: no hook
    /// has run, and it assumed no user or group the host lacks. Install then skips a probe.
    var reusablePlan: InstallPlan?
    /// The plan of the last probe before anything is kept (`InstallPlanner.unkept`), until
    /// the digests it asked for are in.
    var unkeptPlan: Result<InstallPlan, InstallPlanFailure>?
    /// True while this run holds the host's lock.
    var locked = false
    /// Whether `prepare` runs DownloadBundle ahead of its turn.
    var prestage = false
    /// Set once a stop was asked for: the next event boundary stops the host.
    var stopRequested = false

    /// What the machine waits for: the answer to the program (or traffic command) it asked for.
    var waiting: Waiting?
    /// The event running now (its index in `request.events`; -1 for DownloadBundle pre-staged
    /// by `prepare`), and when it started.
    var current: (index: Int, startedAt: Date)?
    /// The next event of `request.events` to run, and whether the host failed or stopped.
    var cursor = 0
    var failed = false
    var stopped = false
    /// The outcome `end` was given, for the result once the lock is released.
    var ending: HostResult.Outcome?
    /// `tarmac plan`'s answer while it is put together.
    var preview = HostPreview()
    /// What DownloadBundle sent (a delta or the full bundle) and why; nil until it ran.
    var transfer: Transfer?

    var layout: HostLayout { request.layout }

    init(request: DeploymentRequest, hostName: String, hasTraffic: Bool) {
        self.request = request
        self.hostName = hostName
        self.hasTraffic = hasTraffic
    }

    /// What a step waits for. Each case carries what the machine does with the answer.
    enum Waiting: Sendable {
        /// The lock program, which probes (`asked`) once it holds the lock.
        case lock(reclaiming: Bool, asked: ProbeRequest)
        case releaseStale(holder: String, refusal: ProgramOutcome)
        case probe(ProbeRequest, purpose: ProbePurpose)
        case download
        case deltaLookup
        case deltaDownload(DeltaOffer)
        case previewDelta(InstallPlan?)
        case install(InstallPlan)
        case earlierAppSpec(event: DeploymentEvent, directory: String)
        case hook(HookRun)
        case traffic(LifecycleEvent)
        case releaseLock
        case digest(paths: [String], plan: InstallPlan)
        case verifyDigests(paths: [String], purpose: ProbePurpose, assumed: Bool)
        case previewAppSpec(directory: String)
    }

    /// Why the host is probed: the early plan of `prepare`, Install's fresh plan, or a preview.
    enum ProbePurpose: Sendable {
        case prepare
        case install(problemsBefore: Int)
        case preview

        /// Whether the plan is the early one (made before any hook ran).
        var early: Bool {
            switch self {
            case .prepare, .preview: true
            case .install: false
            }
        }
    }

    /// The result so far, for `end`.
    func result(_ outcome: HostResult.Outcome) -> HostResult {
        var result = HostResult(
            outcome: outcome, events: events, problems: problems, warnings: warnings, installed: installed,
            install: installUnknown ? .unknown : progressOfInstall.map { .ran($0) } ?? .notRun)
        result.transfer = transfer
        return result
    }

    /// Asks the host to stop at the next event boundary (Ctrl-C, or the group's rollout halted).
    mutating func requestStop() {
        stopRequested = true
    }

    // MARK: Steps

    /// Locks the host, probes and plans; with `prestage`, also runs DownloadBundle. Ends with
    /// `.prepared(false)` when the host cannot go ahead (the reasons are in `problems`).
    mutating func prepare(prestage: Bool) -> [HostAction] {
        acquireLock(reclaiming: true, prestage: prestage)
    }

    /// Runs the lifecycle events in order; ends with `.executed` and the host's outcome.
    mutating func execute(at now: Date) -> [HostAction] {
        nextEvent(at: now)
    }

    /// Releases the lock (if held); ends with `.ended` and the result, events never run Skipped.
    mutating func end(_ outcome: HostResult.Outcome) -> [HostAction] {
        ending = outcome
        guard locked else { return [.done(.ended(finalResult()))] }
        return ask(LockProgram.release(layout: layout, deploymentID: request.deploymentID), event: "lock", .releaseLock)
    }

    /// Probes and plans without taking the lock or writing anything; ends with `.previewed`.
    mutating func startPreview() -> [HostAction] {
        probe(purpose: .preview)
    }

    // MARK: Answers

    /// The answer to the program or traffic command the machine asked for.
    mutating func received(_ input: HostInput, at now: Date) -> [HostAction] {
        guard let waiting else { preconditionFailure("HostMachine: an answer nobody asked for") }
        self.waiting = nil
        switch waiting {
        case .lock(let reclaiming, let asked): return lockAnswered(input, reclaiming: reclaiming, asked: asked, at: now)
        case .releaseStale(let holder, let refusal):
            return staleReleaseAnswered(input, holder: holder, refusal: refusal)
        case .probe(let asked, let purpose): return probeAnswered(input, asked: asked, purpose: purpose, at: now)
        case .download:
            return eventDone(Self.eventResult(LifecycleEvent.downloadBundle.rawValue, Self.outcome(input)), at: now)
        case .deltaLookup: return deltaFound(input, at: now)
        case .deltaDownload(let offer): return deltaDownloaded(input, offer: offer, at: now)
        case .previewDelta(let plan): return previewDeltaFound(input, plan: plan)
        case .install(let plan): return eventDone(installAnswered(input, plan: plan), at: now)
        case .earlierAppSpec(let event, let directory):
            return earlierAppSpecAnswered(input, event: event, directory: directory, at: now)
        case .hook(let run): return eventDone(hookAnswered(input, run: run), at: now)
        case .traffic(let event):
            guard case .traffic(let result) = input else { preconditionFailure("HostMachine: \(event) needs a result") }
            return eventDone(result, at: now)
        case .releaseLock: return lockReleased(input)
        case .digest(let paths, let plan): return digestAnswered(input, paths: paths, plan: plan)
        case .verifyDigests(let paths, let purpose, let assumed):
            return digestsVerified(input, paths: paths, purpose: purpose, assumed: assumed, at: now)
        case .previewAppSpec(let directory): return previewAppSpecAnswered(input, directory: directory)
        }
    }

    /// Asks for `script` to run, labelled `event` in progress, and waits for its answer.
    mutating func ask(_ script: ShellScript, input: ProgramInput? = nil, event: String, _ then: Waiting)
        -> [HostAction]
    {
        waiting = then
        return [.run(HostProgram(script: script, input: input, event: event))]
    }

    /// The program's outcome, or the error that lost it.
    static func outcome(_ input: HostInput) -> Result<ProgramOutcome, any Error> {
        switch input {
        case .program(let result): return result
        case .traffic, .delta: preconditionFailure("HostMachine: another answer where a program's outcome was due")
        }
    }

    /// The result of `end`: the events in order, each with its result or Skipped.
    mutating func finalResult() -> HostResult {
        let recorded = events + (prestaged.map { [$0] } ?? [])
        events = request.events.map { event in
            recorded.first { $0.name == event.name } ?? EventResult(name: event.name, status: .skipped)
        }
        return result(ending ?? .failed)
    }
}

/// What the runner does next for one host.
enum HostAction: Sendable {
    /// Run a program on the host and hand its outcome (or the error that lost it) back.
    case run(HostProgram)
    /// Run the group's traffic command for this event (BlockTraffic, AllowTraffic) on the
    /// build box and hand its result back.
    case traffic(LifecycleEvent)
    /// Find the delta from the host's installed revision (by its manifest's SHA-256) and hand
    /// the lookup back.
    case findDelta(baseManifestSHA256: String)
    /// Pass this on as progress.
    case report(DeploymentProgress)
    /// The step is over.
    case done(HostStepResult)
}

/// How a step of `HostMachine` ended.
enum HostStepResult: Sendable {
    case prepared(Bool)
    case executed(HostResult.Outcome)
    case ended(HostResult)
    case previewed(HostPreview)
}

/// One program for the host, labelled with the event its output belongs to.
struct HostProgram: Sendable {
    var script: ShellScript
    var input: ProgramInput?
    var event: String
}

/// An answer the runner hands back to the machine.
enum HostInput: Sendable {
    case program(Result<ProgramOutcome, any Error>)
    case traffic(EventResult)
    case delta(DeltaLookup)
}
