import Foundation
import Synchronization
import TarmacCore
import TarmacDeploy

/// Live progress of a group deployment on stderr: on a terminal, a line per host with its
/// current event, redrawn in place, and hook output, failures and warnings above it; else a
/// plain line log. With `--json`, one JSON object per line on stdout instead.
final class DeployPrinter: Sendable {
    let json: Bool
    let hosts: [String]
    private let width: Int
    private let board: Mutex<LiveBoard?>

    init(json: Bool, hosts: [String]) {
        self.json = json
        self.hosts = hosts
        width = min(hosts.map(\.count).max() ?? 0, 24)
        board = Mutex(!json && LiveBoard.available ? LiveBoard(hosts: hosts) : nil)
    }

    func start(_ request: DeploymentRequest, bundle: DeployBundle, rollout: Rollout, config: DeploymentConfig) {
        let n = rollout.order.count
        emit(
            [
                "type": "deployment_started", "id": request.deploymentID, "group": request.groupName,
                "revision": bundle.commit ?? bundle.revision, "config": config.name,
            ],
            text: "deployment \(request.deploymentID): \(request.application) \(bundle.revision) → group "
                + "\(request.groupName), \(n) host\(n == 1 ? "" : "s"), \(config.name) "
                + "(\(rollout.batchSize) at a time, \(rollout.minimumHealthy) must stay healthy)")
    }

    func progress(_ event: GroupProgress) {
        switch event {
        case .preparing(let index):
            emit(
                ["type": "host_preparing", "host": hosts[index]],
                text: line(index, "connecting, probing, sending the bundle"), host: index, status: "connecting",
                keep: false)
        case .prepared(let index, let ready):
            emit(
                ["type": "host_prepared", "host": hosts[index], "ready": ready],
                text: line(index, ready ? "ready (bundle staged)" : "not ready"), host: index,
                status: ready ? "ready (bundle staged), waiting for its turn" : "not ready", keep: false)
        case .started(let index):
            emit(
                ["type": "host_started", "host": hosts[index]], text: line(index, "deploying"), host: index,
                status: "deploying", keep: false)
        case .host(let index, let progress):
            hostProgress(index, progress)
        case .finished(let index, let result):
            finished(index, result)
        case .halted(let reason):
            emit(["type": "halted", "reason": reason.description], text: "stopping: \(reason)")
        case .health(let report):
            health(report)
        }
    }

    private func hostProgress(_ index: Int, _ progress: DeploymentProgress) {
        let host = hosts[index]
        switch progress {
        case .eventStarted(let name):
            emit(
                ["type": "event_started", "host": host, "event": name], text: line(index, "▸ \(name)"), host: index,
                status: "▸ \(name)", keep: false)
        case .eventFinished(let result):
            var object: [String: Any] = [
                "type": "event_finished", "host": host, "event": result.name,
                "status": result.status.rawValue,
            ]
            if let code = result.exitCode { object["exit_code"] = Int(code) }
            if let message = result.message { object["message"] = message }
            let mark = result.status == .failed ? "✗" : "✓"
            let timing = Self.seconds(result.startedAt, result.finishedAt)
            let text = line(index, "\(mark) \(result.name) (\(timing))" + (result.message.map { ": \($0)" } ?? ""))
            emit(object, text: text, host: index, status: "\(mark) \(result.name)", keep: result.status == .failed)
        case .output(let event, let stream, let text):
            emit(
                ["type": "output", "host": host, "event": event, "stream": stream, "text": text],
                text: line(index, "\(stream == "stderr" ? "!" : "|") \(text)"))
        case .note(let text):
            emit(["type": "warning", "host": host, "message": text], text: line(index, "warning: \(text)"))
        }
    }

    private func finished(_ index: Int, _ result: HostResult) {
        var object: [String: Any] = [
            "type": "host_finished", "host": hosts[index], "status": result.status.rawValue,
            "installed": result.installed, "revision": result.revisionWord,
        ]
        if result.outcome != .succeeded { object["revision_state"] = "this host \(result.revisionState)" }
        if !result.problems.isEmpty { object["problems"] = result.problems.map(\.description) }
        if let transfer = result.transfer { object["transfer"] = TransferText.json(transfer) }
        if !result.warnings.isEmpty { object["warnings"] = result.warnings }
        let mark = result.outcome == .succeeded ? "✓" : result.outcome == .skipped ? "–" : "✗"
        var text = line(index, result.status.rawValue)
        if result.outcome != .succeeded { text += ": this host \(result.revisionState)" }
        if let transfer = result.transfer { text += "\n" + line(index, "sent: \(transfer.summary)") }
        let prefix = hosts[index] + ": "
        for problem in result.problems.map(\.description) {
            text +=
                "\n"
                + line(
                    index, "error: " + (problem.hasPrefix(prefix) ? String(problem.dropFirst(prefix.count)) : problem))
        }
        for warning in result.warnings { text += "\n" + line(index, "warning: \(warning)") }
        emit(
            object, text: text, host: index, status: "\(mark) \(result.status.rawValue)",
            keep: result.outcome != .succeeded)
    }

    func line(_ index: Int, _ text: String) -> String {
        let name = hosts[index]
        return name.padding(toLength: max(width, name.count), withPad: " ", startingAt: 0) + "  " + text
    }

    /// One report: JSON, a log line, or on a terminal a host's new `status` on the board
    /// (with `text` kept above it when `keep`).
    func emit(
        _ object: [String: Any], text: String, host: Int? = nil, status: String? = nil, keep: Bool = true
    ) {
        if json { return emitJSON(object) }
        board.withLock { board in
            guard board != nil else { return Console.say(text) }
            if let host, let status { board?.set(host, status) }
            board?.print(keep ? text : nil)
        }
    }

    /// Changes the live board (its footer) and redraws it; nothing without one.
    func updateBoard(_ change: (inout LiveBoard) -> Void) {
        board.withLock { board in
            guard board != nil else { return }
            change(&board!)
            board?.print(nil)
        }
    }

    /// A host's new status on the live board; nothing without one.
    func setStatus(_ host: Int, _ status: String) {
        board.withLock { board in
            guard board != nil else { return }
            board?.set(host, status)
            board?.print(nil)
        }
    }

    /// One JSON line on stdout, stamped with the time.
    func emitJSON(_ object: [String: Any]) {
        var stamped = object
        stamped["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let data = (try? JSONSerialization.data(withJSONObject: stamped, options: [.sortedKeys])) ?? Data()
        board.withLock { _ in FileHandle.standardOutput.write(data + Data("\n".utf8)) }
    }

    static func seconds(_ start: Date?, _ end: Date?) -> String {
        guard let start, let end else { return "–" }
        return String(format: "%.1fs", end.timeIntervalSince(start))
    }
}

extension DeployPrinter {
    /// The end: the verdict, and where every host stands.
    func summary(_ request: DeploymentRequest, result: GroupResult) {
        let succeeded = result.hosts.filter { $0.outcome == .succeeded }.count
        let verdict: String
        switch result.verdict {
        case .succeeded: verdict = "Succeeded"
        case .failed(let reason): verdict = "Failed: \(reason)"
        case .stopped: verdict = "Stopped on request"
        }
        if json {
            let hosts = zip(self.hosts, result.hosts).map { name, host -> [String: Any] in
                [
                    "name": name, "status": host.status.rawValue, "installed": host.installed,
                    "revision": host.revisionWord,
                ]
            }
            emitJSON([
                "type": "deployment_finished", "id": request.deploymentID,
                "status": result.verdict.status.rawValue, "hosts": hosts,
            ])
            return
        }
        let counts = "\(succeeded) of \(result.hosts.count) hosts succeeded"
        Console.say("deployment \(request.deploymentID) \(verdict)" + (verdict.contains(counts) ? "" : " (\(counts))"))
        if result.verdict != .succeeded {
            for (name, host) in zip(hosts, result.hosts) where host.outcome != .succeeded {
                Console.say("  \(name): \(host.status.rawValue), \(host.revisionState)")
            }
        }
    }
}
