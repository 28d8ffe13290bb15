import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// Leaves the receipt of one host's deployment on that host (`ReceiptProgram`): two programs
/// after the last event, while the host lock is still held; with `unlock`, the second one
/// releases the lock as it ends.
struct ReceiptWriter: Sendable {
    let transport: any HostTransport
    let request: DeploymentRequest
    let now: @Sendable () -> Date
    /// Whether the write program releases the host lock once the receipt is written.
    var unlock = false

    /// The receipt (as written), or a warning saying why there is none; and whether the host
    /// lock went with it (`@step unlock ok`; otherwise it is still held).
    struct Written {
        var receipt: Result<Receipt, ReceiptError>
        var unlocked = false
    }

    /// Writes the receipt.
    func write(
        _ result: HostResult, files: Receipt.Files, previousDeployment: String?,
        installed: ReceiptProgram.InstalledUpdate = .keep
    ) async -> Written {
        var unlocked = false
        let receipt = await write(
            result, files: files, previousDeployment: previousDeployment, installed: installed
        ) { outcome in
            if outcome.lines.contains(.step(name: "unlock", status: "ok")) { unlocked = true }
        }
        return Written(receipt: receipt, unlocked: unlocked)
    }

    private func write(
        _ result: HostResult, files: Receipt.Files, previousDeployment: String?,
        installed: ReceiptProgram.InstalledUpdate, wrote: (ProgramOutcome) -> Void
    ) async -> Result<
        Receipt, ReceiptError
    > {
        let layout = request.layout
        let previousID = previousDeployment.map { ($0 as NSString).lastPathComponent }
        do {
            let gathered = try await transport.run(
                ReceiptProgram.gather(
                    layout: layout, previous: previousID.map(layout.receiptFile), installed: installed.planned)
            ) { _ in }
            guard gathered.succeeded else {
                return .failure(ReceiptError("no receipt was written: \(gathered.notes.joined(separator: "; "))"))
            }
            let facts = Facts(gathered.lines)
            var receipt = makeReceipt(result, files: files, facts: facts, previousID: previousID)
            var record: InstalledRecord?
            if case .write(let planned, let destinations) = installed {
                record = InstalledRecord.make(planned, destinations: destinations, lines: gathered.lines)
            }
            var written = try await transport.run(
                ReceiptProgram.write(
                    layout: layout, deploymentID: request.deploymentID, text: receipt.encoded(),
                    sign: receipt.signing.signed, installed: record, removeInstalled: installed == .remove,
                    unlock: unlock)
            ) { _ in }
            wrote(written)
            if written.succeeded && written.lines.contains(.fact(key: "signfailed", value: "")) {
                let why = written.stderr.split(separator: "\n").last.map(String.init) ?? "ssh-keygen -Y sign failed"
                receipt.signing = Receipt.Signing(signed: false, reason: "ssh-keygen -Y sign failed: \(why)")
                written = try await transport.run(
                    ReceiptProgram.write(
                        layout: layout, deploymentID: request.deploymentID, text: receipt.encoded(), sign: false,
                        installed: record, removeInstalled: installed == .remove, unlock: unlock)
                ) { _ in }
                wrote(written)
            }
            guard written.succeeded else {
                return .failure(ReceiptError("no receipt was written: \(written.notes.joined(separator: "; "))"))
            }
            return .success(receipt)
        } catch {
            return .failure(ReceiptError("no receipt was written: \(error)"))
        }
    }

    private func makeReceipt(_ result: HostResult, files: Receipt.Files, facts: Facts, previousID: String?) -> Receipt {
        let events = result.events.map {
            Receipt.Event(
                name: $0.name, status: $0.status.rawValue, startedAt: $0.startedAt.map(Receipt.time),
                finishedAt: $0.finishedAt.map(Receipt.time), exitCode: $0.exitCode, message: $0.message)
        }
        let started = result.events.compactMap(\.startedAt).min() ?? now()
        return Receipt(
            application: request.application, group: request.groupName, deploymentID: request.deploymentID,
            revision: request.revision ?? request.commit, bundleSHA256: request.bundleSHA256,
            previousRevision: facts.previousRevision, previousDeploymentID: previousID,
            host: Receipt.Host(name: facts.name, machineID: facts.machineID, hostKey: facts.hostKeyFingerprint),
            runner: request.runnerPID != nil ? "apply" : "ssh", events: events, files: files,
            result: result.status.rawValue, downgradeFrom: request.downgradeFrom, startedAt: Receipt.time(started),
            finishedAt: Receipt.time(now()),
            signing: Receipt.Signing(signed: facts.canSign, reason: facts.canSign ? nil : facts.noSignReason))
    }

    /// The facts `ReceiptProgram.gather` printed.
    struct Facts {
        var name = "unknown"
        var machineID: String?
        var hostKeyFingerprint: String?
        var canSign = false
        var noSignReason = "the host did not say why it cannot sign"
        var previousRevision: String?

        init(_ lines: [ProgramLine]) {
            for case .fact(let key, let value) in lines {
                switch key {
                case "name": name = value
                case "machine" where !value.isEmpty: machineID = value
                case "hostkey" where value.hasPrefix("SHA256:"): hostKeyFingerprint = value
                case "sign": canSign = true
                case "nosign": noSignReason = value
                default: continue
                }
            }
            if canSign && hostKeyFingerprint == nil {
                canSign = false
                noSignReason = "the host's ed25519 public key could not be read"
            }
            if let previous = ReadFileProgram.parseAll(lines)?[0] {
                previousRevision = (try? Receipt.parse(Data(previous), source: "previous receipt"))?.revision
            }
        }
    }
}

extension ReceiptProgram.InstalledUpdate {
    /// The entries whose state the gather program reports.
    var planned: [InstalledRecord.Planned] {
        if case .write(let planned, _) = self { return planned }
        return []
    }
}
