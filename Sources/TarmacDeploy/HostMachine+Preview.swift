import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

extension HostMachine {
    /// The early plan is made: the file changes it would make (digests of files it would
    /// overwrite), then which revision's scripts each event would run.
    mutating func previewPlanned(_ plan: InstallPlan?) -> [HostAction] {
        preview.problems = problems
        preview.lock = facts.lock
        preview.freeBytes = facts.freeBytes
        guard probed else { return [.done(.previewed(preview))] }
        if request.deltas != nil, let base = facts.baseManifestSHA256 {
            waiting = .previewDelta(plan)
            return [.findDelta(baseManifestSHA256: base)]
        }
        preview.transfer = Transfer(kind: .full, bytes: fullBundleBytes, reason: noDeltaReason)
        return previewFiles(plan)
    }

    /// What DownloadBundle would send: the delta found, or the full bundle and why.
    mutating func previewDeltaFound(_ input: HostInput, plan: InstallPlan?) -> [HostAction] {
        switch choose(input) {
        case .failure(let full): preview.transfer = Transfer(kind: .full, bytes: fullBundleBytes, reason: full.reason)
        case .success(let offer): preview.transfer = Self.deltaTransfer(offer)
        }
        return previewFiles(plan)
    }

    mutating func previewFiles(_ plan: InstallPlan?) -> [HostAction] {
        guard let plan else { return previewEvents() }
        let paths = InstallPreview.pathsToDigest(plan, facts: facts)
        guard !paths.isEmpty else { return previewInstall(plan, digests: [:]) }
        return ask(DigestProgram.render(paths: paths), event: "digest", .digest(paths: paths, plan: plan))
    }

    mutating func digestAnswered(_ input: HostInput, paths: [String], plan: InstallPlan) -> [HostAction] {
        var digests: [String: String] = [:]
        // Without digests the preview still lists every change; it only cannot tell equal files apart.
        if case .success(let outcome) = Self.outcome(input) {
            for (index, digest) in DigestProgram.parse(outcome.lines) { digests[paths[index]] = digest }
        }
        return previewInstall(plan, digests: digests)
    }

    mutating func previewInstall(_ plan: InstallPlan, digests: [String: String]) -> [HostAction] {
        preview.install = InstallPreview.make(plan: plan, files: request.files, facts: facts, digests: digests)
        return previewEvents()
    }

    /// Reads the last successful revision's AppSpec when there is one on the host.
    mutating func previewEvents() -> [HostAction] {
        guard let last = facts.lastSuccessful, facts.lastSuccessfulExists else { return previewDone(earlier: nil) }
        return ask(Self.readAppSpec(in: last), event: "read", .previewAppSpec(directory: last))
    }

    mutating func previewAppSpecAnswered(_ input: HostInput, directory: String) -> [HostAction] {
        previewDone(earlier: Self.appSpec(from: input))
    }

    mutating func previewDone(earlier: AppSpec?) -> [HostAction] {
        preview.events = eventScripts(earlier: earlier)
        preview.warnings = warnings
        return [.done(.previewed(preview))]
    }

    /// Every hook event with the scripts the revision it selects would run (spec §2.2).
    func eventScripts(earlier: AppSpec?) -> [HostPreview.EventScripts] {
        request.events.compactMap { event in
            guard event.isScriptable else { return nil }
            switch RevisionSelection.choice(for: event, in: request.events, facts: facts) {
            case .newRevision:
                return .init(
                    event: event.name, revision: "new revision",
                    scripts: request.appspec.scripts(for: event).map(\.location))
            case .noEarlierRevision:
                return .init(event: event.name, revision: "none: first deployment of this group here", scripts: [])
            case .earlierGone(let last), .earlier(let last):
                let id = (last as NSString).lastPathComponent
                let spec = facts.lastSuccessfulExists ? earlier : nil
                switch RevisionSelection.earlier(spec, for: event, facts: facts) {
                case .unreadable:
                    return .init(
                        event: event.name, revision: "last successful revision (\(id)): gone or unreadable", scripts: []
                    )
                case .unsafe:
                    return .init(
                        event: event.name,
                        revision: "last successful revision (\(id)): refused, other users could change its files",
                        scripts: [])
                case .run(let spec):
                    return .init(
                        event: event.name, revision: "last successful revision (\(id))",
                        scripts: spec.scripts(for: event).map(\.location))
                }
            }
        }
    }
}
