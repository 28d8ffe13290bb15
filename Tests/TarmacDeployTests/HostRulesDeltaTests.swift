import Foundation
import Synchronization
import TarmacCore
import TarmacEngine
import TarmacHost
import Testing

@testable import TarmacDeploy

/// DownloadBundle's two routes (HostMachine): which hosts ask for a delta, what goes to the
/// host, and how a delta that falls back on the host becomes the full bundle in the same event.
@Suite struct HostRulesDeltaTests {
    typealias F = HostFixture
    static let baseSHA = String(repeating: "ab", count: 32)

    /// A delta source that answers every lookup with `lookup` and counts the lookups.
    final class Deltas: DeltaProvider {
        let answer: DeltaLookup
        let fullBundleAvailable: Bool
        let asked = Mutex<[String]>([])

        init(_ answer: DeltaLookup, fullBundleAvailable: Bool = true) {
            self.answer = answer
            self.fullBundleAvailable = fullBundleAvailable
        }

        func lookup(baseManifestSHA256: String) async -> DeltaLookup {
            asked.withLock { $0.append(baseManifestSHA256) }
            return answer
        }
    }

    static let base = BundleManifest(
        application: "app", commit: "c1", commitTime: 1, revision: "r1", format: "tar", appspec: "appspec.yml",
        files: [BundleManifest.File(path: "a.txt", type: .file, mode: "0644", size: 3, sha256: "aa")])

    static func offer(bytes: Int64 = 5) -> DeltaLookup {
        .offer(
            DeltaOffer(
                baseRevision: "r1", baseManifestSHA256: baseSHA, baseFiles: base.files,
                delta: BundleDelta.between(base: base, target: base),
                source: .standardInput(byteCount: bytes), sha256: "11", upload: nil, byteCount: bytes))
    }

    /// A probe of a host whose installed revision has a manifest digest.
    static var probeWithBase: RecordingTransport.Answer {
        guard case .says(let text, _) = F.probe() else { preconditionFailure() }
        return .says("@fact base-manifest-sha256 \(baseSHA)\n" + text)
    }

    static func request(_ deltas: Deltas?, bundleBytes: Int64 = 1000) -> DeploymentRequest {
        var request = F.request(bundleBytes: bundleBytes)
        request.deltas = deltas
        return request
    }

    @Test func aHostWithABaseGetsTheDeltaProgramInsteadOfTheFullOne() async {
        let deltas = Deltas(Self.offer())
        let host = RecordingTransport(answers: [.probe: [Self.probeWithBase], .readFile: [F.earlierAppSpec()]])
        let result = await F.deploy(Self.request(deltas), on: host)
        #expect(result.outcome == .succeeded)
        #expect(host.sent.contains(.delta) && !host.sent.contains(.download), "\(host.sent)")
        #expect(deltas.asked.withLock { $0 } == [Self.baseSHA])
        #expect(result.transfer?.kind == .delta && result.transfer?.bytes == 5 && result.transfer?.baseRevision == "r1")
    }

    @Test func aHostWithoutABaseGetsTheFullBundleAndSaysWhy() async {
        let deltas = Deltas(Self.offer())
        let host = RecordingTransport(answers: [.probe: [F.probe(lastSuccessful: false)]])
        let result = await F.deploy(Self.request(deltas), on: host)
        #expect(result.outcome == .succeeded && host.sent.contains(.download) && !host.sent.contains(.delta))
        #expect(deltas.asked.withLock { $0 }.isEmpty)
        #expect(result.transfer == Transfer(kind: .full, bytes: 1000, reason: "no revision installed"))
    }

    @Test func noDeltaForTheBaseSendsTheFullBundleWithTheSourcesReason() async {
        let host = RecordingTransport(answers: [.probe: [Self.probeWithBase], .readFile: [F.earlierAppSpec()]])
        let result = await F.deploy(Self.request(Deltas(.unavailable("no copy of it"))), on: host)
        #expect(result.outcome == .succeeded && host.sent.contains(.download) && !host.sent.contains(.delta))
        #expect(result.transfer?.kind == .full && result.transfer?.reason == "no copy of it")
    }

    @Test func aDeltaNoSmallerThanTheBundleIsNotSent() async {
        let host = RecordingTransport(answers: [.probe: [Self.probeWithBase], .readFile: [F.earlierAppSpec()]])
        let result = await F.deploy(Self.request(Deltas(Self.offer(bytes: 1000))), on: host)
        #expect(host.sent.contains(.download) && !host.sent.contains(.delta))
        #expect(result.transfer?.reason == "the delta from r1 is not smaller than the bundle")
    }

    @Test func aDeltaThatFallsBackOnTheHostBecomesTheFullBundleInTheSameEvent() async {
        let host = RecordingTransport(answers: [
            .probe: [Self.probeWithBase], .readFile: [F.earlierAppSpec()],
            .delta: [.says("@step bundle ok\n@fallback base file a.txt changed\n@done 1")],
        ])
        let result = await F.deploy(Self.request(Deltas(Self.offer())), on: host)
        #expect(result.outcome == .succeeded, "\(result.events)")
        let delta = host.sent.firstIndex(of: .delta)
        #expect(delta != nil && host.sent[(delta ?? 0) + 1] == .download, "\(host.sent)")
        #expect(result.events.filter { $0.name == "DownloadBundle" }.count == 1)
        #expect(result.transfer?.kind == .full && result.transfer?.bytes == 1005)
        let reason = "the delta from r1 fell back on the host: base file a.txt changed"
        #expect(result.transfer?.reason == reason)
        #expect(result.warnings.contains(reason + "; the full bundle was sent"), "\(result.warnings)")
    }

    @Test func aFallbackWithNoFullBundleToSendFailsDownloadBundleWithNothingInstalled() async {
        let host = RecordingTransport(answers: [
            .probe: [Self.probeWithBase], .readFile: [F.earlierAppSpec()],
            .delta: [.says("@fallback base file a.txt changed\n@done 1")],
        ])
        let result = await F.deploy(Self.request(Deltas(Self.offer(), fullBundleAvailable: false)), on: host)
        #expect(result.outcome == .failed && !result.installed && !host.sent.contains(.download))
        let download = result.events.first { $0.name == "DownloadBundle" }
        #expect(download?.status == .failed)
        #expect(download?.message?.contains("apply the full bundle of this revision") == true, "\(result.events)")
        #expect(result.events.first { $0.name == "Install" }?.status == .skipped)
    }

    @Test func aDeltaProgramThatFailsOtherwiseFailsTheHost() async {
        let host = RecordingTransport(answers: [
            .probe: [Self.probeWithBase], .readFile: [F.earlierAppSpec()],
            .delta: [.says("@step bundle failed\n@note no space left on device\n@done 1")],
        ])
        let result = await F.deploy(Self.request(Deltas(Self.offer())), on: host)
        #expect(result.outcome == .failed && !host.sent.contains(.download))
        #expect(result.transfer?.kind == .delta)
    }

    @Test func thePreviewSaysWhatEachHostWouldReceive() async {
        let withBase = RecordingTransport(answers: [.probe: [Self.probeWithBase], .readFile: [F.earlierAppSpec()]])
        let preview = await HostDeployment(transport: withBase).preview(Self.request(Deltas(Self.offer())))
        #expect(preview.transfer?.kind == .delta && preview.transfer?.bytes == 5)
        #expect(!withBase.sent.contains(.delta) && !withBase.sent.contains(.download), "a preview changes nothing")
        let bare = RecordingTransport(answers: [.probe: [F.probe(lastSuccessful: false)]])
        let full = await HostDeployment(transport: bare).preview(Self.request(nil))
        #expect(full.transfer == Transfer(kind: .full, bytes: 1000, reason: "deltas are off"))
    }
}
