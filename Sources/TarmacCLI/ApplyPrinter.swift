import Foundation
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacEngine

/// Live progress of `tarmac apply` on stderr, and its result (text or `--json`).
struct ApplyPrinter: Sendable {
    let json: Bool
    let startedAt = Date()
    /// The newer revision this install goes below (`--allow-downgrade`), if any.
    var downgrade: HighWaterMark?

    init(json: Bool) { self.json = json }

    func start(_ request: DeploymentRequest, staged: StagedBundle) {
        let revision = staged.report.manifest?.revision ?? String(staged.report.sha256.prefix(12))
        Console.say(
            "deployment \(request.deploymentID): \(request.application) \(revision) → group \(request.groupName) on this host"
        )
        Console.say("events: \(request.events.map(\.name).joined(separator: ", "))")
        if let delta = (request.deltas as? AppliedDeltaProvider)?.applied {
            Console.say(
                "delta from \(delta.record.baseRevision): carries \(delta.delta.sent.count) files (\(ByteCount.text(delta.delta.sentBytes))), reuses \(delta.delta.reused.count) from \(delta.baseDeploymentDirectory)"
            )
        }
        if let downgrade {
            Console.say(
                "warning: downgrade: this host accepted revision \(downgrade.revision) (sequence \(downgrade.sequence)) before; installing an older one on --allow-downgrade"
            )
        }
    }

    func progress(_ event: DeploymentProgress) {
        switch event {
        case .eventStarted(let name):
            Console.say("▸ \(name)")
        case .output(let name, let stream, let text):
            Console.say("  \(name)\(stream == "stderr" ? " !" : " |") \(text)")
        case .note(let text):
            Console.say("  warning: \(text)")
        case .eventFinished(let result):
            let seconds = result.finishedAt.flatMap { end in result.startedAt.map { end.timeIntervalSince($0) } } ?? 0
            let timing = String(format: "%.1fs", seconds)
            switch result.status {
            case .failed: Console.say("✗ \(result.name) failed (\(timing)): \(result.message ?? "")")
            default: Console.say("✓ \(result.name) (\(timing))" + (result.message.map { ": \($0)" } ?? ""))
            }
        }
    }

    func finish(_ result: HostResult, request: DeploymentRequest, staged: StagedBundle) {
        for warning in result.warnings { Console.say("warning: \(warning)") }
        if let transfer = result.transfer, transfer.kind == .delta {
            Console.say("unpacked: \(transfer.summary): the other files were linked from the installed revision")
        }
        switch result.outcome {
        case .succeeded:
            Console.say("deployment \(request.deploymentID) succeeded")
        case .stopped, .skipped:
            Console.say("deployment \(request.deploymentID) stopped on request")
            Console.say("this host \(result.revisionState)")
        case .refused:
            for problem in result.problems { Console.say("error: \(problem)") }
            Console.say("error: deployment \(request.deploymentID) refused; nothing was changed")
        case .failed:
            let failed = result.events.first { $0.status == .failed }
            Console.say(
                "error: deployment \(request.deploymentID) failed in \(failed?.name ?? "an event"): \(failed?.message ?? "")"
            )
            Console.say("this host \(result.revisionState)")
            Console.say("see \(request.layout.scriptsLog(request.deploymentID))")
        }
        if json {
            Console.json(
                (try? ApplyJSON(
                    result: result, request: request, staged: staged, startedAt: startedAt, downgrade: downgrade
                ).encoded())
                    ?? Data())
        }
    }
}

/// `tarmac apply --json`: the shape of `tarmac show ID --json` for one host (design.md).
struct ApplyJSON: Encodable {
    struct Host: Encodable {
        var name: String
        var address: String
        var status: DeploymentStatus
        var installed: Bool
        /// Where the host stands after a failure: earlier revision, new, or which mix.
        var message: String?
        var events: [EventResult]
    }

    var id: String
    var kind = "deployment"
    var status: DeploymentStatus
    var group: String
    var application: String
    var revision: String?
    var bundleSHA256: String
    var startedAt: Date
    var finishedAt: Date
    var hosts: [Host]
    var problems: [String]
    var warnings: [String]
    /// The revision this install went below on `--allow-downgrade`.
    var downgradeFrom: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, group, application, revision
        case bundleSHA256 = "bundle_sha256"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case hosts, problems, warnings
        case downgradeFrom = "downgrade_from"
    }

    init(
        result: HostResult, request: DeploymentRequest, staged: StagedBundle, startedAt: Date,
        downgrade: HighWaterMark? = nil
    ) {
        downgradeFrom = downgrade?.revision
        id = request.deploymentID
        status = result.status
        group = request.groupName
        application = request.application
        revision = staged.report.manifest?.commit
        bundleSHA256 = staged.report.sha256
        self.startedAt = startedAt
        finishedAt = Date()
        let message = result.outcome == .succeeded ? nil : "this host \(result.revisionState)"
        hosts = [
            Host(
                name: "localhost", address: "local", status: status, installed: result.installed, message: message,
                events: result.events)
        ]
        problems = result.problems.map(\.description)
        warnings = result.warnings
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Milliseconds: events of a deployment often take less than a second.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return try encoder.encode(self)
    }
}
