import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// What `tarmac plan` shows for one host: the file changes an install would make and which
/// revision's scripts each event would run. Producing it changes nothing on the host (no lock).
public struct HostPreview: Sendable {
    /// One event's scripts and the revision they come from.
    public struct EventScripts: Sendable, Equatable {
        public var event: String
        /// "new revision", "last successful revision (<deployment id>)", or why none runs.
        public var revision: String
        public var scripts: [String]
    }

    /// Nil when the plan was refused (see `problems`).
    public var install: InstallPreview?
    public var events: [EventScripts] = []
    public var problems: [String] = []
    public var warnings: [String] = []
    /// Who holds the host's lock right now, if anyone.
    public var lock: HostFacts.Lock?
    public var freeBytes: Int64?
}

extension HostDeployment {
    /// Probes and plans without taking the lock or writing anything.
    public func preview(_ request: DeploymentRequest) async -> HostPreview {
        var run = Run(deployment: self, request: request) { _ in }
        var preview = HostPreview()
        let plan = await run.probeAndPlan(early: true)
        preview.problems = run.problems
        preview.lock = run.facts.lock
        preview.freeBytes = run.facts.freeBytes
        guard run.probed else { return preview }
        if let plan {
            preview.install = await run.installPreview(plan)
        }
        preview.events = await run.eventScripts()
        preview.warnings = run.warnings
        return preview
    }
}

extension Run {
    func installPreview(_ plan: InstallPlan) async -> InstallPreview {
        let paths = InstallPreview.pathsToDigest(plan, facts: facts)
        var digests: [String: String] = [:]
        if !paths.isEmpty, let outcome = try? await run(DigestProgram.render(paths: paths), event: "digest") {
            for (index, digest) in DigestProgram.parse(outcome.lines) { digests[paths[index]] = digest }
        }
        return InstallPreview.make(plan: plan, files: request.files, facts: facts, digests: digests)
    }

    /// Every hook event with the scripts the revision it selects would run (spec §2.2).
    mutating func eventScripts() async -> [HostPreview.EventScripts] {
        var earlier: AppSpec?
        if let last = facts.lastSuccessful, facts.lastSuccessfulExists {
            earlier = await earlierAppSpec(last)
        }
        return request.events.compactMap { event in
            guard LifecycleEvent(rawValue: event)?.isScriptable ?? true else { return nil }
            let old = (LifecycleEvent(rawValue: event)?.usesLastSuccessfulRevision ?? false) && !downloadPrecedes(event)
            guard old else {
                return .init(
                    event: event, revision: "new revision",
                    scripts: request.appspec.scripts(for: event).map(\.location))
            }
            guard let last = facts.lastSuccessful else {
                return .init(event: event, revision: "none: first deployment of this group here", scripts: [])
            }
            let id = (last as NSString).lastPathComponent
            guard let earlier else {
                return .init(
                    event: event, revision: "last successful revision (\(id)): gone or unreadable", scripts: [])
            }
            if facts.lastSuccessfulUnsafe != nil, !earlier.scripts(for: event).isEmpty {
                return .init(
                    event: event,
                    revision: "last successful revision (\(id)): refused, other users could change its files",
                    scripts: [])
            }
            return .init(
                event: event, revision: "last successful revision (\(id))",
                scripts: earlier.scripts(for: event).map(\.location))
        }
    }
}
