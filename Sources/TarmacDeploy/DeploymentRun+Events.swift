import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

extension Run {
    /// One lifecycle event: tarmac's own two (DownloadBundle, Install) or a hook event.
    mutating func runEvent(_ event: String) async -> EventResult {
        switch event {
        case LifecycleEvent.downloadBundle.rawValue: return await download()
        case LifecycleEvent.install.rawValue: return await install()
        case LifecycleEvent.blockTraffic.rawValue, LifecycleEvent.allowTraffic.rawValue:
            guard let traffic = deployment.traffic else { return EventResult(name: event, status: .succeeded) }
            return await traffic(event, transport.hostName)
        default: return await hooks(event)
        }
    }

    mutating func download() async -> EventResult {
        let delete = Retention.directoriesToDelete(
            facts: facts, currentDeploymentID: request.deploymentID, maxRevisions: request.maxRevisions, layout: layout)
        let program = DownloadProgram.render(
            layout: layout, deploymentID: request.deploymentID, source: request.bundleSource,
            sha256: request.bundleSHA256, delete: delete, keepBundle: request.keepBundle,
            unpackedBytes: ByteSize.onDisk(request.files))
        return await runProgram(program, input: request.upload, event: LifecycleEvent.downloadBundle.rawValue)
    }

    /// Install plans again against the host as it is now (hooks before it may have changed
    /// it); a problem found then fails Install before anything is removed.
    mutating func install() async -> EventResult {
        let name = LifecycleEvent.install.rawValue
        let known = problems.count
        let early = reusablePlan
        guard let plan = early != nil ? early : await probeAndPlan() else {
            let found = problems[known...].joined(separator: "; ")
            return EventResult(name: name, status: .failed, message: "nothing was installed: \(found)")
        }
        let program = InstallProgram.render(plan: plan, layout: layout, deploymentID: request.deploymentID)
        do {
            let outcome = try await run(program, event: name)
            installed = outcome.succeeded
            progressOfInstall = InstallProgress.read(outcome.lines, plan: plan)
            receiptFiles = ReceiptProgram.files(plan: plan, facts: facts, progress: progressOfInstall!)
            installedUpdate =
                outcome.succeeded
                ? .write(
                    InstalledRecord.planned(plan, files: request.files),
                    destinations: request.appspec.files.map(\.destination))
                : .remove
            if outcome.succeeded { return EventResult(name: name, status: .succeeded) }
            return EventResult(
                name: name, status: .failed, exitCode: outcome.status, message: Self.failureMessage(outcome))
        } catch {
            // The connection was lost: what the program did before is unknown.
            progressOfInstall = nil
            installUnknown = true
            installedUpdate = .remove
            return EventResult(name: name, status: .failed, message: "\(error)")
        }
    }

    /// A program of tarmac's own: succeeded, or failed with what it said.
    mutating func runProgram(_ program: ShellScript, input: ProgramInput? = nil, event: String) async -> EventResult {
        do {
            let outcome = try await run(program, input: input, event: event)
            if outcome.succeeded { return EventResult(name: event, status: .succeeded) }
            return EventResult(
                name: event, status: .failed, exitCode: outcome.status, message: Self.failureMessage(outcome))
        } catch {
            return EventResult(name: event, status: .failed, message: "\(error)")
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

    /// Whether DownloadBundle comes before `event` in this deployment's order: then the new
    /// revision's archive exists when the event runs (spec §2.2 selection rule).
    func downloadPrecedes(_ event: String) -> Bool {
        guard let download = request.events.firstIndex(of: LifecycleEvent.downloadBundle.rawValue),
            let position = request.events.firstIndex(of: event)
        else { return false }
        return download < position
    }

    /// A hook event: the scripts of the revision the event selects (spec §2.2).
    mutating func hooks(_ event: String) async -> EventResult {
        let usesLastSuccessful =
            (LifecycleEvent(rawValue: event)?.usesLastSuccessfulRevision ?? false) && !downloadPrecedes(event)
        let spec: AppSpec
        let archive: String
        if usesLastSuccessful {
            switch await lastSuccessfulRevision(event) {
            case .run(let earlier, let directory): (spec, archive) = (earlier, directory + "/deployment-archive")
            case .finished(let result): return result
            }
        } else {
            (spec, archive) = (request.appspec, layout.archiveDirectory(request.deploymentID))
        }
        let scripts = spec.scripts(for: event).map {
            HookRun.Script(
                path: archive + "/" + $0.location, location: $0.location, timeout: $0.timeout, runas: $0.runas)
        }
        guard !scripts.isEmpty else { return EventResult(name: event, status: .succeeded) }
        reusablePlan = nil  // a script may change what Install finds on the host
        let hookRun = HookRun(
            event: event, deploymentID: request.deploymentID, scripts: scripts,
            environment: request.hookEnvironment(event: event, hostName: transport.hostName), layout: layout)
        do {
            let outcome = try await run(HookProgram.render(hookRun), event: event)
            let result = HookProgram.result(for: hookRun, from: outcome.lines)
            warnings += result.warnings
            return EventResult(
                name: event, status: result.succeeded ? .succeeded : .failed, exitCode: result.failingExitCode,
                message: result.failure)
        } catch {
            return EventResult(name: event, status: .failed, message: "\(error)")
        }
    }

    /// What a stop event does with the last successful revision (spec §2.2): run its scripts,
    /// or end at once (none, gone, unreadable, or files other users could have changed).
    enum EarlierRevision {
        case run(AppSpec, directory: String)
        case finished(EventResult)
    }

    mutating func lastSuccessfulRevision(_ event: String) async -> EarlierRevision {
        guard let last = facts.lastSuccessful else {
            return .finished(
                EventResult(
                    name: event, status: .succeeded,
                    message: "first deployment of this group here: no earlier revision to run"))
        }
        guard facts.lastSuccessfulExists else {
            warnings.append("\(event): the last successful revision \(last) is gone from the host; nothing was run")
            return .finished(
                EventResult(
                    name: event, status: .succeeded, message: "the last successful revision is gone; nothing was run"))
        }
        guard let earlier = await earlierAppSpec(last) else {
            return .finished(
                EventResult(
                    name: event, status: .failed,
                    message: "cannot read the AppSpec of the last successful revision in \(last)"))
        }
        if let unsafe = facts.lastSuccessfulUnsafe, !earlier.scripts(for: event).isEmpty {
            return .finished(
                EventResult(
                    name: event, status: .failed,
                    message: "the last successful revision in \(last) has files other users could change (\(unsafe): "
                        + "writable by group or others, or not owned by the deployment user); its scripts were not "
                        + "run. Check them, then remove \(last) (or use --ignore-application-stop-failures)"))
        }
        return .run(earlier, directory: last)
    }

    /// The AppSpec of the revision in `directory`, read from the host.
    func earlierAppSpec(_ directory: String) async -> AppSpec? {
        let names = AppSpecLocator.defaultNames
        let program = ReadFileProgram.render(candidates: names.map { directory + "/deployment-archive/" + $0 })
        guard let outcome = try? await run(program, event: "read"), let found = ReadFileProgram.parse(outcome.lines)
        else {
            return nil
        }
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
