import Foundation
import TarmacBundle
import TarmacCore
import TarmacGit
import TarmacHistory

/// The source stage: reads the commit's own tarmac.yml, applies the trigger filters to a
/// post-commit run, records the stages, bundles the commit when there is no build, and queues
/// the execution. Nothing here touches a host.
struct PipelineSource {
    let context: PipelineContext
    let record: ExecutionRecord

    var store: HistoryStore { context.store }
    var id: String { record.id }
    var short: String { String(record.commit.prefix(12)) }

    /// The committed project, with the execution queued for its next stage; nil when the
    /// execution ended here (skipped or failed, recorded with the reason).
    func run() async throws -> PipelineProject? {
        context.events(.sourceStarted(record))
        var source = StageRecord(position: 0, kind: .source, name: "source", status: .inProgress)
        source.startedAt = Date()
        try store.defineStages(id, mode: .queued, stages: [source])
        guard let project = try await PipelineProject.at(context.repository, record.commit) else {
            return try fail("commit \(short) has no tarmac.yml; `tarmac init` writes one, commit it, then run again")
        }
        if project.diagnostics.hasErrors {
            context.events(.findings(project.diagnostics))
            let lines = project.diagnostics.sortedByLocation().map(\.description)
            return try fail(
                "tarmac.yml in commit \(short) is not valid; no host was touched:\n" + lines.joined(separator: "\n"))
        }
        guard let config = project.config, let pipeline = config.pipeline else {
            return try fail(
                "tarmac.yml in commit \(short) has no pipeline section; add e.g. "
                    + "pipeline: { stages: [{ deploy: staging }] }, or use tarmac deploy GROUP")
        }
        if record.trigger == .postCommit, let reason = try await skipReason(pipeline.trigger) {
            context.events(.skipped(id: id, reason: reason))
            try store.updateStage(id, position: 0, status: .skipped, message: reason)
            try store.finishExecution(id, .skipped, message: reason)
            return nil
        }
        try store.defineStages(id, mode: pipeline.mode, stages: [source] + Self.stages(of: pipeline))
        if pipeline.build == nil {
            guard try await bundle(project) else { return nil }
        }
        try store.updateStage(id, position: 0, status: .succeeded)
        context.events(.superseded(try store.enqueue(id, at: 1), by: id))
        return project
    }

    /// The stages after source: build when configured, then the pipeline's own.
    static func stages(of pipeline: Pipeline) -> [StageRecord] {
        var stages: [StageRecord] = []
        if pipeline.build != nil { stages.append(StageRecord(position: 1, kind: .build, name: "build")) }
        for stage in pipeline.stages {
            let position = stages.count + 1
            switch stage {
            case .deploy(let group, _): stages.append(StageRecord(position: position, kind: .deploy, name: group))
            case .approval(let message, _):
                stages.append(StageRecord(position: position, kind: .approval, name: message ?? "approval"))
            }
        }
        return stages
    }

    /// Why a post-commit run of this commit deploys nothing, if it does not.
    private func skipReason(_ trigger: Pipeline.Trigger) async throws -> String? {
        let changed = trigger.paths == nil ? nil : try await context.repository.changedPaths(record.commit)
        switch trigger.decide(branch: record.branch, changedPaths: changed) {
        case .run: return nil
        case .skip(let reason): return reason
        }
    }

    /// Bundles the commit (validating its AppSpec first) and records the bundle.
    private func bundle(_ project: PipelineProject) async throws -> Bool {
        let builder = BundleBuilder(
            repository: context.repository, application: project.application, bundle: project.bundle)
        var options = BundleOptions()
        options.revision = record.commit
        do {
            let outcome = try await builder.build(options)
            try PipelineBundle.record(outcome, context: context)
            return true
        } catch let error as BundleError {
            _ = try fail(PipelineBundle.message(error, commit: short, context: context))
            return false
        }
    }

    private func fail(_ message: String) throws -> PipelineProject? {
        context.events(.failed(message))
        try store.updateStage(id, position: 0, status: .failed, message: message)
        try store.finishExecution(id, .failed, message: message)
        return nil
    }
}

/// The bundle of an execution, built once for all its deploy stages.
enum PipelineBundle {
    /// Records where the bundle is and says so.
    static func record(_ outcome: BundleOutcome, context: PipelineContext) throws {
        context.events(.findings(outcome.warnings))
        context.events(.bundled(revision: outcome.manifest.revision, path: outcome.path))
        try context.store.setBundle(
            context.id, revision: outcome.manifest.revision, path: outcome.path, sha256: outcome.sha256)
    }

    /// The reason a bundle was not built, with every finding (`file:line:col: error: …`).
    static func message(_ error: BundleError, commit: String, context: PipelineContext) -> String {
        if case .invalidRevision(let findings) = error {
            context.events(.findings(findings))
            let lines = findings.sortedByLocation().filter { $0.severity == .error }.map(\.description)
            return "the revision \(commit) is not valid; no host was touched:\n" + lines.joined(separator: "\n")
        }
        return "cannot bundle \(commit): \(error)"
    }
}
