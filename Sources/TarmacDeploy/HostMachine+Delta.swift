import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// DownloadBundle's two routes. A host whose installed revision (`_last_successful_install`)
/// has a manifest digest gets a delta from it when the deployment's `DeltaProvider` has one;
/// every other host, and a host whose delta falls back (its base changed, or the rebuilt
/// revision did not match the manifest), gets the full bundle in the same event.
extension HostMachine {
    mutating func download(at now: Date) -> [HostAction] {
        if transfer == nil, request.deltas != nil, let base = facts.baseManifestSHA256 {
            waiting = .deltaLookup
            return [.findDelta(baseManifestSHA256: base)]
        }
        return fullDownload(reason: transfer?.reason ?? noDeltaReason, at: now)
    }

    /// Why a host gets the full bundle without asking for a delta.
    var noDeltaReason: String {
        guard request.deltas != nil else { return "deltas are off" }
        guard let installed = facts.lastSuccessful else { return "no revision installed" }
        guard facts.lastSuccessfulExists else {
            return "the installed revision's directory is gone (\(Self.lastComponent(installed)))"
        }
        return "the installed revision has no manifest digest (installed by an older tarmac)"
    }

    /// The bytes of the full bundle on the wire (or read from disk by `apply`).
    var fullBundleBytes: Int64 {
        if case .standardInput(let count) = request.bundleSource { return count }
        return request.localBundleByteCount ?? 0
    }

    static func deltaTransfer(_ offer: DeltaOffer) -> Transfer {
        var delta = Transfer(kind: .delta, bytes: offer.byteCount, baseRevision: offer.baseRevision)
        delta.reusedFiles = offer.delta.reused.count
        delta.sentFiles = offer.delta.sent.count
        return delta
    }

    /// The full bundle, as DownloadBundle always sent it; with none to send (`apply` of a
    /// delta bundle), DownloadBundle fails with nothing installed.
    mutating func fullDownload(reason: String?, at now: Date) -> [HostAction] {
        guard request.deltas?.fullBundleAvailable != false else {
            let message = "\(reason ?? "no delta"); nothing was installed: apply the full bundle of this revision"
            let result = EventResult(name: LifecycleEvent.downloadBundle.rawValue, status: .failed, message: message)
            return eventDone(result, at: now)
        }
        let sent = fullBundleBytes
        if var fellBack = transfer {
            fellBack.kind = .full
            fellBack.bytes += sent
            transfer = fellBack
        } else {
            transfer = Transfer(kind: .full, bytes: sent, reason: reason)
        }
        let program = DownloadProgram.render(
            layout: layout, deploymentID: request.deploymentID, source: request.bundleSource,
            sha256: request.bundleSHA256, delete: retentionCandidates, keepBundle: request.keepBundle,
            unpackedBytes: ByteSize.onDisk(request.files),
            statFiles: request.files.filter { $0.type == .file }.map(\.path), executables: hookScripts)
        return ask(program, input: request.upload, event: LifecycleEvent.downloadBundle.rawValue, .download)
    }

    /// What a lookup's answer sends: the delta, or the full bundle and why. A delta no smaller
    /// than the bundle is not worth it, unless there is no bundle to send instead (`apply`).
    func choose(_ input: HostInput) -> Result<DeltaOffer, FullBundle> {
        guard case .delta(let lookup) = input else { preconditionFailure("HostMachine: a delta lookup needs a delta") }
        switch lookup {
        case .unavailable(let reason): return .failure(FullBundle(reason: reason))
        case .offer(let offer)
        where offer.byteCount >= fullBundleBytes && request.deltas?.fullBundleAvailable == true:
            return .failure(FullBundle(reason: "the delta from \(offer.baseRevision) is not smaller than the bundle"))
        case .offer(let offer): return .success(offer)
        }
    }

    /// Why the full bundle is sent instead of a delta.
    struct FullBundle: Error {
        var reason: String
    }

    /// The runner's answer to `.findDelta`.
    mutating func deltaFound(_ input: HostInput, at now: Date) -> [HostAction] {
        switch choose(input) {
        case .failure(let full):
            return fullDownload(reason: full.reason, at: now)
        case .success(let offer):
            transfer = Self.deltaTransfer(offer)
            return ask(
                deltaProgram(offer), input: offer.upload, event: LifecycleEvent.downloadBundle.rawValue,
                .deltaDownload(offer))
        }
    }

    /// The delta program's answer: done, or fallen back to the full bundle (or, when there is
    /// none to send, failed with nothing installed).
    mutating func deltaDownloaded(_ input: HostInput, offer: DeltaOffer, at now: Date) -> [HostAction] {
        let outcome = Self.outcome(input)
        guard let reason = Self.fallbackReason(outcome) else {
            return eventDone(Self.eventResult(LifecycleEvent.downloadBundle.rawValue, outcome), at: now)
        }
        let because = "the delta from \(offer.baseRevision) fell back on the host: \(reason)"
        transfer?.reason = because
        if request.deltas?.fullBundleAvailable == true { warnings.append("\(because); the full bundle was sent") }
        return fullDownload(reason: because, at: now)
    }

    /// The program that rebuilds the revision from the base's archive and the delta.
    func deltaProgram(_ offer: DeltaOffer) -> ShellScript {
        let base = DeltaProgram.Base(
            directory: facts.lastSuccessful ?? "", manifestSHA256: offer.baseManifestSHA256, files: offer.baseFiles)
        return DeltaProgram.render(
            layout: layout, deploymentID: request.deploymentID, source: offer.source, sha256: offer.sha256,
            base: base, target: request.files, delta: offer.delta, delete: retentionCandidates,
            keepBundle: request.keepBundle,
            unpackedBytes: ByteSize.onDisk(request.files), executables: hookScripts)
    }

    /// The old deployment directories DownloadBundle deletes (§4.9; never the installed one).
    var retentionCandidates: [String] {
        Retention.directoriesToDelete(
            facts: facts, currentDeploymentID: request.deploymentID, maxRevisions: request.maxRevisions, layout: layout)
    }

    /// The new revision's hook scripts, made executable while DownloadBundle writes the archive.
    var hookScripts: [String] { request.appspec.hooks.flatMap(\.scripts).map(\.location) }

    /// The host's reason when the delta program fell back, or nil.
    static func fallbackReason(_ outcome: Result<ProgramOutcome, any Error>) -> String? {
        guard case .success(let outcome) = outcome else { return nil }
        for line in outcome.lines {
            if case .fallback(let reason) = line { return reason }
        }
        return nil
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
