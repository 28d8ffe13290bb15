import Foundation
import TarmacCore
import TarmacEngine
import Testing

@testable import TarmacDeploy

/// One host's rules (HostMachine), run by HostRunner on a recording transport: which programs
/// go to the host, in which order, and how the answers decide the host's outcome.
@Suite struct HostRulesTests {
    typealias F = HostFixture

    @Test func aCleanDeploymentRunsEveryEventInOrderAndReleasesTheLock() async {
        let host = RecordingTransport(answers: [.probe: [F.probe()], .readFile: [F.earlierAppSpec()]])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .succeeded)
        #expect(
            host.sent == [
                .lock, .probe, .readFile, .hook("ApplicationStop"), .download, .hook("BeforeInstall"), .probe,
                .install, .hook("AfterInstall"), .hook("ApplicationStart"), .receiptGather, .receiptWrite, .unlock,
            ])
        #expect(result.statuses.allSatisfy { $0.hasSuffix("Succeeded") } && result.events.count == 7)
        #expect(result.installed)
    }

    @Test func aStaleLockOfAnInterruptedDeploymentIsReclaimedOnce() async {
        let host = RecordingTransport(answers: [.lock: [F.lockHeld(by: "d-0", alive: false), .ok]])
        let result = await F.deploy(F.request(reclaimable: ["d-0"]), on: host)
        #expect(result.outcome == .succeeded)
        #expect(Array(host.sent.prefix(4)) == [.lock, .unlock, .lock, .probe])
        #expect(result.warnings.contains("removed the stale host lock of d-0, whose tarmac was interrupted"))
    }

    @Test func aLockHeldByARunningDeploymentRefusesTheHost() async {
        let host = RecordingTransport(answers: [.lock: [F.lockHeld(by: "d-0", alive: true)]])
        let result = await F.deploy(F.request(reclaimable: ["d-0"]), on: host)
        #expect(result.outcome == .refused)
        #expect(host.sent == [.lock])
        #expect(
            result.problems == [
                .locked(
                    host: "h1",
                    holder: .init(deploymentID: "d-0", pid: 4242, startedAt: 1_700_000_000, holderAlive: true),
                    lockDirectory: "/srv/tarmac/.tarmac-lock")
            ])
        #expect(
            result.problems.first?.description == "h1 is locked by deployment d-0 (pid 4242), which is still running")
        #expect(result.statuses.allSatisfy { $0.hasSuffix("Skipped") })
    }

    @Test func aDeadHolderThisBoxDoesNotKnowIsReportedNotRemoved() async {
        let host = RecordingTransport(answers: [.lock: [F.lockHeld(by: "d-0", alive: false)]])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .refused && host.sent == [.lock])
        #expect(
            result.problems.first?.description.contains("is no longer running (a stale lock: check, then remove")
                == true)
    }

    @Test func aFailedApplicationStopIsIgnoredWithTheFlag() async {
        let host = RecordingTransport(answers: [
            .probe: [F.probe()], .readFile: [F.earlierAppSpec()], .hook("ApplicationStop"): [F.hook(exit: 3)],
        ])
        let result = await F.deploy(F.request(ignoreStopFailures: true), on: host)
        #expect(result.outcome == .succeeded)
        #expect(result.events.first?.status == .failed && result.events.first?.exitCode == 3)
        #expect(result.warnings.contains("ApplicationStop failed and was ignored (--ignore-application-stop-failures)"))
        #expect(host.sent.contains(.hook("ApplicationStart")))
    }

    @Test func aFailedApplicationStopFailsTheHostWithoutTheFlag() async {
        let host = RecordingTransport(answers: [
            .probe: [F.probe()], .readFile: [F.earlierAppSpec()], .hook("ApplicationStop"): [F.hook(exit: 3)],
        ])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .failed)
        #expect(
            host.sent == [.lock, .probe, .readFile, .hook("ApplicationStop"), .receiptGather, .receiptWrite, .unlock])
        #expect(result.statuses.dropFirst().allSatisfy { $0.hasSuffix("Skipped") })
    }

    @Test func aFailedHookFailsTheHostAndSkipsTheEventsAfterIt() async {
        let host = RecordingTransport(answers: [
            .probe: [F.probe(lastSuccessful: false)], .hook("AfterInstall"): [F.hook(exit: 1)],
        ])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .failed && result.installed)
        #expect(!host.sent.contains(.hook("ApplicationStart")) && host.sent.last == .unlock)
        #expect(
            result.statuses == [
                "ApplicationStop Succeeded", "DownloadBundle Succeeded", "BeforeInstall Succeeded", "Install Succeeded",
                "AfterInstall Failed", "ApplicationStart Skipped", "ValidateService Skipped",
            ])
    }

    @Test func theFirstDeploymentRunsNoStopScripts() async {
        let host = RecordingTransport(answers: [.probe: [F.probe(lastSuccessful: false)]])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .succeeded)
        #expect(!host.sent.contains(.readFile) && !host.sent.contains(.hook("ApplicationStop")))
        #expect(result.events.first?.message == "first deployment of this group here: no earlier revision to run")
    }

    @Test func aGoneEarlierRevisionIsANoOpWithAWarning() async {
        let host = RecordingTransport(answers: [.probe: [F.probe(exists: false)]])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .succeeded && !host.sent.contains(.readFile))
        #expect(result.warnings.first?.contains("the last successful revision \(F.earlierDirectory) is gone") == true)
    }

    @Test func anEarlierRevisionOthersCouldChangeIsNotRun() async {
        let host = RecordingTransport(answers: [.probe: [F.probe(unsafe: "stop.sh")], .readFile: [F.earlierAppSpec()]])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .failed && !host.sent.contains(.hook("ApplicationStop")))
        #expect(result.events.first?.message?.contains("has files other users could change (stop.sh") == true)
    }

    @Test func theEarlyPlanIsReusedWhenNoHookRanBeforeInstall() async {
        let spec = F.spec("version: 0.0\nos: linux\n")
        let host = RecordingTransport()
        let result = await F.deploy(F.request(spec: spec), on: host)
        #expect(result.outcome == .succeeded)
        #expect(host.sent == [.lock, .probe, .download, .install, .receiptGather, .receiptWrite, .unlock])
    }

    /// The receipt's program releases the lock as it ends; only when it does not say so does
    /// the lock's own program run.
    @Test func theLockGoesWithTheReceiptWhenItsProgramSaysSo() async {
        let spec = F.spec("version: 0.0\nos: linux\n")
        let released = RecordingTransport.Answer.says("@step receipt ok\n@step unlock ok\n@done 0")
        let host = RecordingTransport(answers: [.receiptWrite: [released]])
        let result = await F.deploy(F.request(spec: spec), on: host)
        #expect(result.outcome == .succeeded && result.warnings.isEmpty, "\(result.warnings)")
        #expect(host.sent == [.lock, .probe, .download, .install, .receiptGather, .receiptWrite])

        // Signing failed: written again unsigned, which releases the lock.
        let resigned = RecordingTransport(answers: [
            .receiptWrite: [.says("@fact signfailed\n@step receipt ok\n@done 0"), released]
        ])
        let again = await F.deploy(F.request(spec: spec), on: resigned)
        #expect(again.outcome == .succeeded)
        #expect(Array(resigned.sent.suffix(3)) == [.receiptGather, .receiptWrite, .receiptWrite])

        // No receipt: the lock's own program releases it.
        let failed = RecordingTransport(answers: [.receiptWrite: [.says("@done 1")]])
        let third = await F.deploy(F.request(spec: spec), on: failed)
        #expect(Array(failed.sent.suffix(2)) == [.receiptWrite, .unlock])
        #expect(third.warnings.contains { $0.hasPrefix("no receipt was written") }, "\(third.warnings)")
    }

    @Test func tooLittleSpaceRefusesTheHostBeforeAnythingIsWritten() async {
        let host = RecordingTransport(answers: [.probe: [F.probe(freeKiB: 1)]])
        let result = await F.deploy(F.request(bundleBytes: 1 << 20), on: host)
        #expect(result.outcome == .refused && host.sent == [.lock, .probe, .unlock])
        #expect(
            result.problems == [
                .notEnoughSpace(host: "h1", root: "/srv/tarmac", free: 1024, bundle: 1 << 20, unpacked: 0)
            ])
        #expect(result.problems.first?.description.hasPrefix("h1: not enough free space in /srv/tarmac") == true)
    }

    @Test func aConnectionLostDuringInstallLeavesItsEffectUnknown() async {
        let host = RecordingTransport(answers: [.probe: [F.probe(lastSuccessful: false)], .install: [.lost]])
        let result = await F.deploy(F.request(), on: host)
        #expect(result.outcome == .failed && result.install == .unknown && !result.installed)
    }

    @Test func aStopRequestSkipsTheEventsNotYetStarted() async {
        let host = RecordingTransport(answers: [.probe: [F.probe(lastSuccessful: false)]])
        let result = await F.deploy(F.request(), on: host, stop: { true })
        #expect(result.outcome == .stopped && host.sent == [.lock, .probe, .receiptGather, .receiptWrite, .unlock])
        #expect(result.statuses.allSatisfy { $0.hasSuffix("Skipped") })
    }

    @Test func aPreviewNamesTheRevisionEachEventRunsAndTakesNoLock() async {
        let host = RecordingTransport(answers: [.probe: [F.probe()], .readFile: [F.earlierAppSpec()]])
        let preview = await HostDeployment(transport: host).preview(F.request())
        #expect(host.sent == [.probe, .readFile])
        #expect(
            preview.events.first
                == .init(event: "ApplicationStop", revision: "last successful revision (d-1)", scripts: ["stop.sh"]))
        #expect(preview.events.dropFirst().allSatisfy { $0.revision == "new revision" })
    }
}
