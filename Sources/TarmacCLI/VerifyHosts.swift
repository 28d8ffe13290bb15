import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacSSH

/// `tarmac verify GROUP`: every host of the group over SSH, at once.
enum VerifyRemote {
    static func check(_ repository: RepositoryOptions, group: String, full: Bool) async throws
        -> [VerifyText.HostOutcome]
    {
        let target = try await GroupHosts.load(repository, group: group)
        let layout = target.layout
        let outcomes = await withTaskGroup(of: (Int, DriftCheck.Outcome).self) { tasks in
            for (index, transport) in target.connections.transports.enumerated() {
                tasks.addTask { (index, await DriftCheck.run(transport, layout: layout, full: full)) }
            }
            var all = [DriftCheck.Outcome](repeating: .noRecord, count: target.group.hosts.count)
            for await (index, outcome) in tasks { all[index] = outcome }
            return all
        }
        await target.connections.close()
        return zip(target.group.hosts.map(\.name), outcomes).map { ($0, $1) }
    }
}

/// `tarmac verify` on the host itself: which group's record to read.
enum VerifyLocal {
    static let suffix = "_installed"

    static func layout(root: String, group: String?, application: String?) throws -> HostLayout {
        if let application {
            let groupID = DeploymentGroupID.make(application: application, group: group ?? "local")
            return HostLayout(root: root, groupID: groupID)
        }
        if group != nil {
            Console.say("error: --deployment-group needs --application: a group on a host is named by both")
            throw ExitCode(Exit.invalidInput)
        }
        let instructions = HostLayout(root: root, groupID: "").instructions
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: instructions)) ?? [])
            .filter { $0.hasPrefix("g-") && $0.hasSuffix(suffix) }.sorted()
        guard names.count == 1, let name = names.first else {
            Console.say(
                names.isEmpty
                    ? "error: nothing installed by tarmac is recorded under \(root) (no \(instructions)/<group-id>\(suffix))"
                    : "error: \(root) holds several groups (\(names.map { String($0.dropLast(suffix.count)) }.joined(separator: ", "))); name one with --application and --deployment-group"
            )
            throw ExitCode(Exit.invalidInput)
        }
        return HostLayout(root: root, groupID: String(name.dropLast(suffix.count)))
    }
}

/// How `verify` shows its findings, and its exit status.
enum VerifyText {
    typealias HostOutcome = (host: String, outcome: DriftCheck.Outcome)

    static func report(_ results: [HostOutcome], json: Bool) {
        if json {
            Console.json(Self.json(results))
            return
        }
        for (host, outcome) in results {
            switch outcome {
            case .noRecord:
                Console.say("\(host): nothing recorded to compare (never installed, or the last Install failed)")
            case .unsafe(let why): Console.say("\(host): error: \(why)")
            case .failed(let why): Console.say("\(host): error: could not check: \(why)")
            case .checked(let report):
                let state = report.hasDrift ? "DRIFT" : "no drift"
                Console.say(
                    "\(host): \(state): \(report.modified.count) modified, \(report.missing.count) missing, \(report.extra.count) extra"
                )
                for item in report.modified {
                    Console.say(
                        "  modified \(VisibleText.escape(item.path, keepingNewlines: false)) (\(item.changes.joined(separator: ", ")))"
                    )
                }
                for path in report.missing {
                    Console.say("  missing  \(VisibleText.escape(path, keepingNewlines: false))")
                }
                for path in report.extra {
                    Console.say("  extra    \(VisibleText.escape(path, keepingNewlines: false))")
                }
            }
        }
    }

    /// 2 when the input was invalid anywhere, else 1 for drift or a host not checked, else 0.
    static func status(_ results: [HostOutcome]) -> Int32 {
        var status: Int32 = 0
        for (_, outcome) in results {
            switch outcome {
            case .noRecord, .unsafe: return Exit.invalidInput
            case .failed: status = Exit.failed
            case .checked(let report) where report.hasDrift: status = Exit.failed
            case .checked: continue
            }
        }
        return status
    }

    private struct HostJSON: Encodable {
        var host: String
        var status: String
        var message: String?
        var modified: [DriftReport.Modified]
        var missing: [String]
        var extra: [String]
    }

    private static func json(_ results: [HostOutcome]) -> Data {
        let hosts = results.map { host, outcome in
            switch outcome {
            case .noRecord:
                HostJSON(host: host, status: "no-record", message: nil, modified: [], missing: [], extra: [])
            case .unsafe(let why), .failed(let why):
                HostJSON(host: host, status: "error", message: why, modified: [], missing: [], extra: [])
            case .checked(let report):
                HostJSON(
                    host: host, status: report.hasDrift ? "drift" : "clean", message: nil, modified: report.modified,
                    missing: report.missing, extra: report.extra)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return ((try? encoder.encode(hosts)) ?? Data()) + Data("\n".utf8)
    }
}
