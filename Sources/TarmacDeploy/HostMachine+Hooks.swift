import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

extension HostMachine {
    /// A hook event: the scripts of the revision the event selects (spec §2.2).
    mutating func hooks(_ event: DeploymentEvent, at now: Date) -> [HostAction] {
        switch RevisionSelection.choice(for: event, in: request.events, facts: facts) {
        case .newRevision:
            return runHooks(
                event, spec: request.appspec, archive: layout.archiveDirectory(request.deploymentID), at: now)
        case .noEarlierRevision:
            return eventDone(
                EventResult(
                    name: event.name, status: .succeeded,
                    message: "first deployment of this group here: no earlier revision to run"), at: now)
        case .earlierGone(let last):
            warnings.append("\(event): the last successful revision \(last) is gone from the host; nothing was run")
            return eventDone(
                EventResult(
                    name: event.name, status: .succeeded,
                    message: "the last successful revision is gone; nothing was run"),
                at: now)
        case .earlier(let directory):
            return ask(
                Self.readAppSpec(in: directory), event: "read", .earlierAppSpec(event: event, directory: directory))
        }
    }

    /// What a stop event does with the last successful revision's AppSpec: run its scripts, or
    /// fail at once (unreadable, or files other users could have changed).
    mutating func earlierAppSpecAnswered(_ input: HostInput, event: DeploymentEvent, directory: String, at now: Date)
        -> [HostAction]
    {
        switch RevisionSelection.earlier(Self.appSpec(from: input), for: event, facts: facts) {
        case .unreadable:
            return eventDone(
                EventResult(
                    name: event.name, status: .failed,
                    message: "cannot read the AppSpec of the last successful revision in \(directory)"), at: now)
        case .unsafe(let path):
            let message =
                "the last successful revision in \(directory) has files other users could change (\(path): "
                + "writable by group or others, or not owned by the deployment user); its scripts were not "
                + "run. Check them, then remove \(directory) (or use --ignore-application-stop-failures)"
            return eventDone(EventResult(name: event.name, status: .failed, message: message), at: now)
        case .run(let earlier):
            return runHooks(event, spec: earlier, archive: directory + "/deployment-archive", at: now)
        }
    }

    /// The event's scripts from `spec`, which lie in `archive` on the host.
    mutating func runHooks(_ event: DeploymentEvent, spec: AppSpec, archive: String, at now: Date) -> [HostAction] {
        let scripts = spec.scripts(for: event).map {
            HookRun.Script(
                path: archive + "/" + $0.location, location: $0.location, timeout: $0.timeout, runas: $0.runas)
        }
        guard !scripts.isEmpty else { return eventDone(EventResult(name: event.name, status: .succeeded), at: now) }
        reusablePlan = nil  // a script may change what Install finds on the host
        let hookRun = HookRun(
            event: event.name, deploymentID: request.deploymentID, scripts: scripts,
            environment: request.hookEnvironment(event: event, hostName: hostName), layout: layout)
        return ask(HookProgram.render(hookRun), event: event.name, .hook(hookRun))
    }

    mutating func hookAnswered(_ input: HostInput, run: HookRun) -> EventResult {
        switch Self.outcome(input) {
        case .success(let outcome):
            let result = HookProgram.result(for: run, from: outcome.lines)
            warnings += result.warnings
            return EventResult(
                name: run.event, status: result.succeeded ? .succeeded : .failed, exitCode: result.failingExitCode,
                message: result.failure)
        case .failure(let error):
            return EventResult(name: run.event, status: .failed, message: "\(error)")
        }
    }

    /// The program that reads the AppSpec of the revision in `directory`.
    static func readAppSpec(in directory: String) -> ShellScript {
        ReadFileProgram.render(candidates: AppSpecLocator.defaultNames.map { directory + "/deployment-archive/" + $0 })
    }

    /// The AppSpec that program found; nil when it is missing, unreadable, or the connection
    /// was lost (the callers report each of these as "unreadable").
    static func appSpec(from input: HostInput) -> AppSpec? {
        guard case .success(let outcome) = outcome(input), let found = ReadFileProgram.parse(outcome.lines) else {
            return nil
        }
        let names = AppSpecLocator.defaultNames
        return AppSpec.parse(String(decoding: found.bytes, as: UTF8.self), file: names[found.index]).0
    }
}

extension HookResult {
    /// The exit code of the script that failed, when it exited (not signalled, not timed out).
    var failingExitCode: Int32? {
        for script in scripts {
            if case .failed(let code) = script.status { return code }
        }
        return nil
    }
}
