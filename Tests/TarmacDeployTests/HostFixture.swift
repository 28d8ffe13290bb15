import Foundation
import TarmacCore
import TarmacEngine

@testable import TarmacDeploy

/// A small deployment for unit tests: an AppSpec with one script per hook event and no files.
enum HostFixture {
    static let layout = HostLayout(root: "/srv/tarmac", groupID: "g-1")
    /// The deployment directory of the last successful revision, as the probe reports it.
    static let earlierDirectory = "/srv/tarmac/g-1/d-1"

    static let appspecText = """
        version: 0.0
        os: linux
        hooks:
          ApplicationStop:
            - location: stop.sh
          BeforeInstall:
            - location: before.sh
          AfterInstall:
            - location: after.sh
          ApplicationStart:
            - location: start.sh
        """

    static func spec(_ text: String = appspecText) -> AppSpec {
        AppSpec.parse(text, file: "appspec.yml").0!
    }

    static func request(
        events: [DeploymentEvent] = LifecycleSequence.defaultEvents(trafficHooks: false), spec: AppSpec = spec(),
        ignoreStopFailures: Bool = false, reclaimable: Set<String> = [], bundleBytes: Int64 = 10
    ) -> DeploymentRequest {
        var request = DeploymentRequest(
            deploymentID: "d-2", application: "app", groupName: "web", groupID: "g-1", layout: layout, appspec: spec,
            files: [], bundleSource: .standardInput(byteCount: bundleBytes), bundleSHA256: "00", commit: nil,
            events: events, ignoreApplicationStopFailures: ignoreStopFailures)
        request.reclaimableLocks = reclaimable
        return request
    }

    /// A probe's answer: a host with a last successful revision (or none), and its free space.
    static func probe(lastSuccessful: Bool = true, exists: Bool = true, unsafe: String? = nil, freeKiB: Int? = nil)
        -> RecordingTransport.Answer
    {
        var lines: [String] = []
        if lastSuccessful {
            lines.append("@fact last-successful-hex \(hex(earlierDirectory, separator: ""))")
            lines.append("@fact last-successful-exists \(exists ? "yes" : "no")")
        }
        if let unsafe { lines.append("@fact last-successful-unsafe \(hex(unsafe, separator: ""))") }
        if let freeKiB { lines.append("@fact free-kib \(freeKiB)") }
        return .says((lines + ["@done 0"]).joined(separator: "\n"))
    }

    /// The read-file program's answer: the earlier revision's appspec.yml.
    static func earlierAppSpec(_ text: String = appspecText) -> RecordingTransport.Answer {
        let bytes = Data(text.utf8)
        return .says("@fact found 0\n@fact size 0 \(bytes.count)\n@fact b64 \(bytes.base64EncodedString())\n@done 0")
    }

    /// A hook program's answer: its one script exited with `status`.
    static func hook(exit status: Int32) -> RecordingTransport.Answer {
        status == 0 ? .says("@step script:0 ok 5\n@done 0") : .says("@step script:0 failed:\(status) 5\n@done 1")
    }

    /// The lock program's answer when another deployment holds the lock.
    static func lockHeld(by deploymentID: String, pid: Int32 = 4242, alive: Bool) -> RecordingTransport.Answer {
        .says(
            "@fact lock \(hex(deploymentID, separator: "")) \(pid) 1700000000 \(alive ? "alive" : "dead")\n"
                + "@step lock failed\n@note the host is locked by another deployment\n@done 1")
    }

    static func hex(_ text: String, separator: String) -> String {
        text.utf8.map { String(format: "%02x", $0) }.joined(separator: separator)
    }

    /// Runs one host's deployment on `transport`.
    static func deploy(
        _ request: DeploymentRequest, on transport: RecordingTransport, stop: @escaping @Sendable () -> Bool = { false }
    ) async -> HostResult {
        await HostDeployment(transport: transport, now: { Date(timeIntervalSince1970: 0) }, stopRequested: stop)
            .run(request) { _ in }
    }
}

extension HostResult {
    /// Each event's name and status word, in order.
    var statuses: [String] { events.map { "\($0.name) \($0.status.rawValue)" } }
}
