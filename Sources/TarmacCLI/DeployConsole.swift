import ArgumentParser
import Foundation
import Synchronization
import TarmacCore
import TarmacDeploy
import TarmacHistory

/// Shows a deployment's events: the bundle it built, the live progress and summary
/// (`DeployPrinter`, text or `--json`), history warnings and rollback notes.
final class DeployConsole: Sendable {
    let json: Bool
    private let printer = Mutex<DeployPrinter?>(nil)

    init(json: Bool) {
        self.json = json
    }

    func render(_ event: DeploymentUpdate) {
        switch event {
        case .bundled(let outcome):
            BundleText.warnings(outcome, hint: "only committed work is deployed; commit them first")
            Console.say("bundled \(outcome.manifest.revision) → \(outcome.path)")
        case .appspecFindings(let findings):
            Console.diagnostics(findings)
        case .started(let setup):
            let printer = DeployPrinter(json: json, hosts: setup.targets.map(\.name))
            self.printer.withLock { $0 = printer }
            printer.start(setup.request, bundle: setup.bundle, rollout: setup.rollout, config: setup.config)
            if let gated = setup.gated { printer.zones(gated.zonePlan) }
            // From here on the first Ctrl-C stops the deployment after the events in flight.
            Interrupt.install()
        case .progress(let progress):
            current?.progress(progress)
        case .journalWarnings(let warnings):
            for warning in warnings.prefix(3) { Console.say("warning: history: \(warning)") }
        case .finished(let setup, let result):
            current?.summary(setup.request, result: result)
        case .rollback(let event):
            Self.say(event)
        }
    }

    private var current: DeployPrinter? { printer.withLock { $0 } }

    private static func say(_ event: RollbackEvent) {
        switch event {
        case .oneAtATime(let config, let count):
            Console.say(
                "note: \(config) cannot start on \(count) host\(count == 1 ? "" : "s"); the rollback runs OneAtATime")
        case .starting(let group, let good):
            Console.say("rolling back group \(group) to \(good.revision) (deployment \(good.id))")
        case .nothingInstalled:
            Console.say("auto rollback: no host ran Install, so every host keeps its earlier revision")
        case .noEarlierDeployment(let group):
            Console.say(
                "auto rollback: group \(group) has no earlier successful deployment with its bundle kept; nothing to roll back to"
            )
        case .automatic(let id, let hosts):
            Console.say("auto rollback of \(id) on \(hosts.joined(separator: ", "))")
        case .automaticEnded(let id, let status):
            Console.say("auto rollback \(id): \(status.rawValue)")
        case .automaticRefused(let refusal):
            refusal.say()
            Console.say("auto rollback could not run: \(refusal)")
        case .automaticFailed(let error):
            Console.say("auto rollback could not run: \(error)")
        }
    }
}

extension DeploymentRefusal {
    /// Says why, as the contract words it (findings first).
    func say() {
        switch self {
        case .startCheck, .zoneCheck, .bundleNotStaged, .outsideWindow:
            Console.say("error: \(self)")
            Console.say("no host was contacted")
        case .hosts(let reason):
            Console.say(reason)
        case .bundleNotBuilt(.invalidRevision(let findings)):
            Console.diagnostics(findings)
            Console.say("error: the revision is not valid; no bundle was written")
        case .invalidAppSpec(let findings):
            Console.diagnostics(findings)
            Console.say("error: the bundle's AppSpec is not valid; nothing was changed")
        case .busy:
            Console.say("error: \(self); wait for it to finish, or stop it with Ctrl-C")
        case .unrecorded(let error):
            Console.say("error: \(error)")
            Console.say(
                "error: the deployment history cannot be written, so nothing was deployed (no host was contacted); "
                    + "if another tarmac holds it, retry when it is done; if it is damaged, move it aside")
        case .bundleGone:
            Console.say("error: \(self); deploy its revision with --rev instead")
        default:
            Console.say("error: \(self)")
        }
    }

    /// The contract's exit status: 2 for invalid input, else 1.
    var exitStatus: Int32 { isInvalidInput ? Exit.invalidInput : Exit.failed }
}

extension DeploymentOutcome {
    /// Maps how the deployment ended to the contract's exit status (a refusal is said first).
    func exit() throws {
        switch self {
        case .refused(let refusal):
            refusal.say()
            throw ExitCode(refusal.exitStatus)
        case .finished(let deployment):
            switch deployment.result.verdict {
            case .succeeded: return
            case .failed: throw ExitCode(Exit.failed)
            case .stopped: throw ExitCode(Exit.interrupted)
            }
        }
    }
}

extension DeploymentServices {
    /// The command line's choices: SSH to the hosts, the repository's history as the
    /// journal, this machine's process table, Ctrl-C.
    static func commandLine(repository: String) -> DeploymentServices {
        DeploymentServices(
            connect: { group, hosts in
                let connections: HostConnections
                do {
                    connections = try HostConnections(group: group, hosts: hosts, repository: repository)
                } catch {
                    throw DeploymentRefusal.hosts("\(error)")
                }
                let jumps = connections.jumps
                let transports = connections.transports
                return ConnectedHosts(transports: transports) {
                    await HostConnections.close(transports, jumps: jumps)
                }
            },
            openJournal: { try HistoryStore.open(repositoryRoot: repository) },
            processIsRunning: { HistoryStore.processIsRunning($0) },
            stopRequested: { Interrupt.requested })
    }
}
