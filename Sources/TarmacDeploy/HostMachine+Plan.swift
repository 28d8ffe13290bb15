import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

extension HostMachine {
    /// Probes the host for what the plan needs, and the users the new revision's hooks run as.
    mutating func probe(purpose: ProbePurpose) -> [HostAction] {
        let asked = probeRequest()
        return ask(
            ProbeProgram.render(request: asked, layout: layout, runnerPID: request.runnerPID), event: "probe",
            .probe(asked, purpose: purpose))
    }

    /// What the probe asks for: the install targets, users, groups and tools of the plan.
    func probeRequest() -> ProbeRequest {
        var asked = InstallPlanner.probeRequest(spec: request.appspec, mappings: request.mappings)
        asked.users = Array(Set(asked.users).union(runasUsers)).sorted()
        return asked
    }

    mutating func probeAnswered(_ input: HostInput, asked: ProbeRequest, purpose: ProbePurpose, at now: Date)
        -> [HostAction]
    {
        guard let assumed = readFacts(from: input, asked: asked, early: purpose.early) else {
            return planned(nil, purpose: purpose, at: now)
        }
        // The previous install's files that Install may leave alone are hashed first, in one
        // more program, but for those the last Install's stat record vouches for; nothing
        // runs on a first install, or when the record vouches for every one.
        let unkept = InstallPlanner.unkept(
            spec: request.appspec, mappings: request.mappings, facts: facts, options: installOptions)
        unkeptPlan = unkept
        let candidates =
            (try? unkept.get()).map {
                InstallPlanner.pathsToVerify($0, mappings: request.mappings, facts: facts)
            } ?? []
        let known = InstallStatRecord.knownDigests(candidates, facts: facts)
        facts.digests.merge(known) { _, recorded in recorded }
        let paths = candidates.filter { known[$0] == nil }
        guard paths.isEmpty else {
            return ask(
                DigestProgram.render(paths: paths), event: "probe",
                .verifyDigests(paths: paths, purpose: purpose, assumed: assumed))
        }
        return planned(plan(early: purpose.early, assumed: assumed), purpose: purpose, at: now)
    }

    /// The digests of the files Install may keep. A file the host could not hash is not kept:
    /// it is installed anew.
    mutating func digestsVerified(
        _ input: HostInput, paths: [String], purpose: ProbePurpose, assumed: Bool, at now: Date
    ) -> [HostAction] {
        if case .program(.success(let outcome)) = input {
            for (index, digest) in DigestProgram.parse(outcome.lines) where paths.indices.contains(index) {
                facts.digests[paths[index]] = digest
            }
        }
        return planned(plan(early: purpose.early, assumed: assumed), purpose: purpose, at: now)
    }

    /// What follows a plan (nil: the host cannot go ahead, with `problems` filled).
    mutating func planned(_ plan: InstallPlan?, purpose: ProbePurpose, at now: Date) -> [HostAction] {
        switch purpose {
        case .prepare:
            guard plan != nil else { return [.done(.prepared(false))] }
            guard prestage, request.events.contains(.lifecycle(.downloadBundle)) else {
                return [.done(.prepared(true))]
            }
            current = (index: -1, startedAt: now)
            return [.report(.eventStarted(LifecycleEvent.downloadBundle.rawValue))] + download(at: now)
        case .install(let known):
            guard let plan else {
                let found = problems[known...].map(\.description).joined(separator: "; ")
                let name = LifecycleEvent.install.rawValue
                return eventDone(
                    EventResult(name: name, status: .failed, message: "nothing was installed: \(found)"), at: now)
            }
            return runInstall(plan)
        case .preview:
            return previewPlanned(plan)
        }
    }

    /// Reads the facts the probe reported; returns whether the early plan assumed users or
    /// groups the host lacks, or nil (with `problems` filled) when the host cannot go ahead.
    ///
    /// The early plan, before any hook has run, takes the AppSpec's users and groups as given:
    /// a BeforeInstall hook may create them. Install plans again with the host as it is then.
    mutating func readFacts(from input: HostInput, asked: ProbeRequest, early: Bool) -> Bool? {
        let probe = InstallPlanner.principals(spec: request.appspec)
        var assumed = false
        do {
            facts = try ProbeProgram.parse(Self.outcome(input).get().lines, request: asked)
            probed = true
            assumed = !facts.users.isSuperset(of: probe.users) || !facts.groups.isSuperset(of: probe.groups)
            if early {
                warnMissingRunasUsers()
                facts.users.formUnion(probe.users)
                facts.groups.formUnion(probe.groups)
            }
        } catch ProbeError.failed(let status?, let note?) where status != 0 {
            problems.append(.probeFailed(host: hostName, reason: note))
            return nil
        } catch {
            problems.append(.probeFailed(host: hostName, reason: "\(error)"))
            return nil
        }
        if early, let problem = spaceProblem() {
            problems.append(problem)
            return nil
        }
        return assumed
    }

    var installOptions: InstallOptions {
        InstallOptions(
            fileExistsBehavior: request.fileExistsBehavior, archiveRoot: layout.archiveDirectory(request.deploymentID))
    }

    /// The install planned from the facts (the plan `probeAnswered` made, with what the
    /// digests let it keep); nil (with `problems` filled) when it cannot go ahead.
    mutating func plan(early: Bool, assumed: Bool) -> InstallPlan? {
        let unkept =
            unkeptPlan
            ?? InstallPlanner.unkept(
                spec: request.appspec, mappings: request.mappings, facts: facts, options: installOptions)
        unkeptPlan = nil
        switch unkept.map({ InstallPlanner.keep($0, mappings: request.mappings, facts: facts) }) {
        case .success(let plan):
            reusablePlan = early && !assumed ? plan : nil
            return plan
        case .failure(let failure):
            problems += failure.problems.map(HostProblem.plan)
            return nil
        }
    }

    /// The users the new revision's hooks run as, in the events that run its scripts (not the
    /// stop events that run the last successful revision's).
    var runasUsers: [String] {
        RevisionSelection.newRevisionEvents(request.events).flatMap {
            request.appspec.scripts(for: $0).compactMap(\.runas)
        }
    }

    /// A runas user the host lacks is a warning, not a refusal: a hook before the one that
    /// needs it (BeforeInstall, say) may create it. The hook fails if it is still missing then.
    mutating func warnMissingRunasUsers() {
        var seen = Set<String>()
        for user in runasUsers where !facts.users.contains(user) && seen.insert(user).inserted {
            let events = RevisionSelection.newRevisionEvents(request.events).filter {
                request.appspec.scripts(for: $0).contains { $0.runas == user }
            }
            warnings.append(
                "user \(user) does not exist yet on this host (runas of \(events.map(\.name).joined(separator: ", "))); "
                    + "a hook before them must create it, or those hooks fail")
        }
    }

    /// Before anything is written: the deployment root's file system (as the probe found it)
    /// must hold `bundle.tar` and the unpacked revision side by side, as DownloadBundle needs.
    func spaceProblem() -> HostProblem? {
        guard request.events.contains(.lifecycle(.downloadBundle)), let free = facts.freeBytes else {
            return nil
        }
        let bundle: Int64
        switch request.bundleSource {
        case .standardInput(let count): bundle = count
        case .localFile: bundle = request.localBundleByteCount ?? 0
        case .verifiedFile: bundle = request.keepBundle ? request.localBundleByteCount ?? 0 : 0
        }
        let unpacked = ByteSize.onDisk(request.files)
        guard free < bundle + unpacked else { return nil }
        return .notEnoughSpace(host: hostName, root: layout.root, free: free, bundle: bundle, unpacked: unpacked)
    }
}
