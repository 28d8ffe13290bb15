import Foundation
import Synchronization
import TarmacCore
import TarmacEngine
import TarmacHost

/// The state of one host's deployment while it runs: what has happened, what comes next.
struct Run {
    let deployment: HostDeployment
    let request: DeploymentRequest
    let progress: @Sendable (DeploymentProgress) -> Void
    var events: [EventResult] = []
    var problems: [String] = []
    var warnings: [String] = []
    var facts = HostFacts()
    /// True once a probe's facts came back.
    var probed = false
    var installed = false
    /// What Install's program recorded it changed; nil while it has not run.
    var progressOfInstall: InstallProgress?
    /// Install's program was started but its connection was lost: what it changed is unknown.
    var installUnknown = false
    /// DownloadBundle's result when it ran ahead of the other events (a group's pre-staging).
    var prestaged: EventResult?
    /// The early plan, while nothing could have changed the host since its probe: no hook
    /// has run, and it assumed no user or group the host lacks. Install then skips a probe.
    var reusablePlan: InstallPlan?

    var transport: any HostTransport { deployment.transport }
    var layout: HostLayout { request.layout }

    init(
        deployment: HostDeployment, request: DeploymentRequest,
        progress: @escaping @Sendable (DeploymentProgress) -> Void
    ) {
        self.deployment = deployment
        self.request = request
        self.progress = progress
    }

    func result(_ outcome: HostResult.Outcome) -> HostResult {
        HostResult(
            outcome: outcome, events: events, problems: problems, warnings: warnings, installed: installed,
            install: installUnknown ? .unknown : progressOfInstall.map { .ran($0) } ?? .notRun)
    }

    /// Runs a program, passing hook output and notes on as progress. A note that explains a
    /// failed step is left to the event's failure message, not shown twice.
    func run(_ program: ShellScript, input: ProgramInput? = nil, event: String) async throws -> ProgramOutcome {
        let progress = self.progress
        let failed = Mutex(false)
        return try await transport.run(program, input: input) { line in
            switch line {
            case .output(let stream, let text): progress(.output(event: event, stream: stream.rawValue, text: text))
            case .step(_, "failed"): failed.withLock { $0 = true }
            case .note(let text) where !failed.withLock({ $0 }):
                progress(.note(Run.readable(note: text, event: event)))
            default: break
            }
        }
    }

    /// Hook notes name their script by index (`script:0 …`); say the event instead.
    static func readable(note: String, event: String) -> String {
        guard note.hasPrefix("script:"), let space = note.firstIndex(of: " ") else { return note }
        return "\(event): " + note[note.index(after: space)...]
    }

    mutating func acquireLock(reclaiming: Bool = true) async -> Bool {
        do {
            let outcome = try await run(
                LockProgram.acquire(layout: layout, deploymentID: request.deploymentID, runnerPID: request.runnerPID),
                event: "lock")
            if outcome.succeeded { return true }
            if let holder = LockProgram.holder(in: outcome.lines), reclaiming, !holder.holderAlive,
                request.reclaimableLocks.contains(holder.deploymentID)
            {
                let release = try await run(
                    LockProgram.release(layout: layout, deploymentID: holder.deploymentID), event: "lock")
                if release.succeeded {
                    warnings.append(
                        "removed the stale host lock of \(holder.deploymentID), whose tarmac was interrupted")
                    return await acquireLock(reclaiming: false)
                }
            }
            if outcome.lines.contains(.step(name: "root", status: "failed")) {
                problems.append("\(transport.hostName): \(outcome.notes.joined(separator: "; "))")
            } else if let holder = LockProgram.holder(in: outcome.lines) {
                let state =
                    holder.holderAlive
                    ? "is still running"
                    : "is no longer running (a stale lock: check, then remove \(layout.lockDirectory))"
                problems.append(
                    "\(transport.hostName) is locked by deployment \(holder.deploymentID) (pid \(holder.pid)), which \(state)"
                )
            } else {
                problems.append(
                    "\(transport.hostName): cannot lock \(layout.lockDirectory): \(outcome.notes.joined(separator: "; "))"
                )
            }
        } catch {
            problems.append("\(error)")
        }
        return false
    }

    mutating func releaseLock() async {
        do {
            let outcome = try await run(
                LockProgram.release(layout: layout, deploymentID: request.deploymentID), event: "lock")
            if !outcome.succeeded {
                warnings.append("could not release the host lock: \(outcome.notes.joined(separator: "; "))")
            }
        } catch {
            warnings.append("could not release the host lock: \(error)")
        }
    }

    /// Probes the host and plans the install; nil (with `problems` filled) when it cannot go ahead.
    ///
    /// The early plan, before any hook has run, takes the AppSpec's users and groups as given:
    /// a BeforeInstall hook may create them. Install plans again with the host as it is then.
    mutating func probeAndPlan(early: Bool = false) async -> InstallPlan? {
        let probe = InstallPlanner.probeRequest(spec: request.appspec, files: request.files)
        var asked = probe
        asked.users = Array(Set(probe.users).union(runasUsers)).sorted()
        var assumed = false
        do {
            let outcome = try await run(
                ProbeProgram.render(request: asked, layout: layout, runnerPID: request.runnerPID), event: "probe")
            facts = try ProbeProgram.parse(outcome.lines, request: asked)
            probed = true
            assumed = !facts.users.isSuperset(of: probe.users) || !facts.groups.isSuperset(of: probe.groups)
            if early {
                warnMissingRunasUsers()
                facts.users.formUnion(probe.users)
                facts.groups.formUnion(probe.groups)
            }
        } catch ProbeError.failed(let status?, let note?) where status != 0 {
            problems.append("\(transport.hostName): the probe failed: \(note)")
            return nil
        } catch {
            problems.append("\(transport.hostName): the probe failed: \(error)")
            return nil
        }
        if early, let problem = spaceProblem() {
            problems.append(problem)
            return nil
        }
        let options = InstallOptions(
            fileExistsBehavior: request.fileExistsBehavior, archiveRoot: layout.archiveDirectory(request.deploymentID))
        await verifyDigests(options)
        switch InstallPlanner.plan(spec: request.appspec, files: request.files, facts: facts, options: options) {
        case .success(let plan):
            reusablePlan = early && !assumed ? plan : nil
            return plan
        case .failure(let failure):
            problems += failure.problems.map(\.description)
            return nil
        }
    }

    /// The users the new revision's hooks run as, in the events that run its scripts (not the
    /// stop events that run the last successful revision's).
    var runasUsers: [String] {
        newRevisionEvents.flatMap { request.appspec.scripts(for: $0).compactMap(\.runas) }
    }

    var newRevisionEvents: [String] {
        request.events.filter {
            !(LifecycleEvent(rawValue: $0)?.usesLastSuccessfulRevision ?? false) || downloadPrecedes($0)
        }
    }

    /// A runas user the host lacks is a warning, not a refusal: a hook before the one that
    /// needs it (BeforeInstall, say) may create it. The hook fails if it is still missing then.
    mutating func warnMissingRunasUsers() {
        var seen = Set<String>()
        for user in runasUsers where !facts.users.contains(user) && seen.insert(user).inserted {
            let events = newRevisionEvents.filter { request.appspec.scripts(for: $0).contains { $0.runas == user } }
            warnings.append(
                "user \(user) does not exist yet on this host (runas of \(events.joined(separator: ", "))); "
                    + "a hook before them must create it, or those hooks fail")
        }
    }

    /// DownloadBundle ahead of its turn; the stop events still select the last successful
    /// revision, since they come before DownloadBundle in the event order.
    mutating func prestage() async -> Bool {
        let event = LifecycleEvent.downloadBundle.rawValue
        guard request.events.contains(event) else { return true }
        progress(.eventStarted(event))
        let started = deployment.now()
        var result = await download()
        result.startedAt = started
        result.finishedAt = deployment.now()
        prestaged = result
        progress(.eventFinished(result))
        return result.status == .succeeded
    }

    /// The events in order, each with its result or Skipped (a refused plan, a halt, a failure).
    mutating func skipRemaining() {
        let recorded = events + (prestaged.map { [$0] } ?? [])
        events = request.events.map { name in
            recorded.first { $0.name == name } ?? EventResult(name: name, status: .skipped)
        }
    }

    /// Runs every event in order; stops at the first failure that is not ignored.
    mutating func execute() async -> HostResult.Outcome {
        var failed = false
        var stopped = false
        for event in request.events {
            if !failed && !stopped && deployment.stopRequested() {
                stopped = true
                warnings.append("stopped on request before \(event); the events before it ran to the end")
            }
            if failed || stopped {
                events.append(EventResult(name: event, status: .skipped))
                continue
            }
            let result: EventResult
            if let prestaged, prestaged.name == event {
                result = prestaged
            } else {
                progress(.eventStarted(event))
                let started = deployment.now()
                var fresh = await runEvent(event)
                fresh.startedAt = started
                fresh.finishedAt = deployment.now()
                result = fresh
                progress(.eventFinished(result))
            }
            events.append(result)
            if result.status == .failed {
                let stopEvent = LifecycleEvent(rawValue: event)?.usesLastSuccessfulRevision ?? false
                if stopEvent && request.ignoreApplicationStopFailures {
                    warnings.append("\(event) failed and was ignored (--ignore-application-stop-failures)")
                } else {
                    failed = true
                }
            }
        }
        if failed { return .failed }
        return stopped ? .stopped : .succeeded
    }
}
