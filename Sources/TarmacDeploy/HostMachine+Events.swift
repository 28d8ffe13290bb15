import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

extension HostMachine {
    /// Starts the next event, or ends the step: after a failure that is not ignored, or a stop
    /// request, every event left is Skipped.
    mutating func nextEvent(at now: Date) -> [HostAction] {
        while cursor < request.events.count {
            let event = request.events[cursor]
            if !failed && !stopped && stopRequested {
                stopped = true
                warnings.append("stopped on request before \(event); the events before it ran to the end")
            }
            if failed || stopped {
                events.append(EventResult(name: event.name, status: .skipped))
                cursor += 1
                continue
            }
            if let prestaged, prestaged.name == event.name {
                record(prestaged, for: event)
                continue
            }
            current = (index: cursor, startedAt: now)
            return [.report(.eventStarted(event.name))] + begin(event, at: now)
        }
        if failed { return [.done(.executed(.failed))] }
        return [.done(.executed(stopped ? .stopped : .succeeded))]
    }

    /// An event's result is in: stamped, reported, recorded; then the next event (or, for the
    /// pre-staged DownloadBundle, the end of `prepare`).
    mutating func eventDone(_ result: EventResult, at now: Date) -> [HostAction] {
        var result = result
        result.startedAt = current?.startedAt
        result.finishedAt = now
        let index = current?.index ?? cursor
        current = nil
        if index == -1 {
            prestaged = result
            return [.report(.eventFinished(result)), .done(.prepared(result.status == .succeeded))]
        }
        record(result, for: request.events[index])
        return [.report(.eventFinished(result))] + nextEvent(at: now)
    }

    /// Records an event's result; a failure ends the host unless it is a stop event's and
    /// `--ignore-application-stop-failures` was given.
    mutating func record(_ result: EventResult, for event: DeploymentEvent) {
        events.append(result)
        cursor += 1
        guard result.status == .failed else { return }
        if event.usesLastSuccessfulRevision && request.ignoreApplicationStopFailures {
            warnings.append("\(result.name) failed and was ignored (--ignore-application-stop-failures)")
        } else {
            failed = true
        }
    }

    /// One lifecycle event: tarmac's own two (DownloadBundle, Install), the group's traffic
    /// commands, or a hook event.
    mutating func begin(_ event: DeploymentEvent, at now: Date) -> [HostAction] {
        switch event {
        case .lifecycle(.downloadBundle): return download(at: now)
        case .lifecycle(.install):
            guard let plan = reusablePlan else { return probe(purpose: .install(problemsBefore: problems.count)) }
            return runInstall(plan)
        case .lifecycle(let traffic) where traffic == .blockTraffic || traffic == .allowTraffic:
            guard hasTraffic else { return eventDone(EventResult(name: event.name, status: .succeeded), at: now) }
            waiting = .traffic(traffic)
            return [.traffic(traffic)]
        default: return hooks(event, at: now)
        }
    }

    /// Install runs the plan made just now, or the early one when nothing could have changed
    /// the host since; a problem found in a fresh plan fails Install before anything is removed.
    mutating func runInstall(_ plan: InstallPlan) -> [HostAction] {
        let recorded = InstallStatRecord.entries(
            InstalledRecord.planned(plan, files: request.files, digests: facts.digests))
        return ask(
            InstallProgram.render(
                plan: plan, layout: layout, deploymentID: request.deploymentID, recorded: recorded),
            event: LifecycleEvent.install.rawValue, .install(plan))
    }

    mutating func installAnswered(_ input: HostInput, plan: InstallPlan) -> EventResult {
        let name = LifecycleEvent.install.rawValue
        switch Self.outcome(input) {
        case .success(let outcome):
            installed = outcome.succeeded
            let progress = InstallProgress.read(outcome.lines, plan: plan)
            progressOfInstall = progress
            receiptFiles = ReceiptProgram.files(plan: plan, facts: facts, progress: progress)
            installedUpdate =
                outcome.succeeded
                ? .write(
                    InstalledRecord.planned(plan, files: request.files, digests: facts.digests),
                    destinations: request.appspec.files.map(\.destination))
                : .remove
            return Self.eventResult(name, .success(outcome))
        case .failure(let error):
            // The connection was lost: what the program did before is unknown.
            progressOfInstall = nil
            installUnknown = true
            installedUpdate = .remove
            return EventResult(name: name, status: .failed, message: "\(error)")
        }
    }

    /// A program of tarmac's own: succeeded, or failed with what it said.
    static func eventResult(_ event: String, _ outcome: Result<ProgramOutcome, any Error>) -> EventResult {
        switch outcome {
        case .success(let outcome) where outcome.succeeded: return EventResult(name: event, status: .succeeded)
        case .success(let outcome):
            return EventResult(
                name: event, status: .failed, exitCode: outcome.status, message: failureMessage(outcome))
        case .failure(let error): return EventResult(name: event, status: .failed, message: "\(error)")
        }
    }

    /// A failed program in one line: its notes, each with the detail `t_fail` wrote to stderr
    /// (`tarmac: <note>: <detail>`), then the last few other lines tools printed there.
    static func failureMessage(_ outcome: ProgramOutcome) -> String {
        let stderr = outcome.stderr.split(separator: "\n").map(String.init)
        let details = stderr.filter { $0.hasPrefix("tarmac: ") }.map { String($0.dropFirst("tarmac: ".count)) }
        var said = outcome.notes.map { note in details.first { $0.hasPrefix(note + ":") } ?? note }
        said += stderr.filter { !$0.hasPrefix("tarmac: ") && !$0.isEmpty }.suffix(3)
        return said.joined(separator: "; ")
    }
}
