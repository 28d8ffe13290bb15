import TarmacCore
import TarmacEngine
import Testing

@Suite("LifecycleSequence: which events run, in which order")
struct LifecycleSequenceTests {
    static let spec: AppSpec = {
        let text = """
            version: 0.0
            os: linux
            hooks:
              Stop:
                - location: stop.sh
              Start:
                - location: start.sh
              HealthCheck:
                - location: check.sh
            """
        return AppSpec.parse(text, file: "appspec.yml").0!
    }()

    @Test func defaultOrderWithoutTrafficControl() {
        #expect(
            LifecycleSequence.defaultEvents(trafficHooks: false) == [
                "ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart",
                "ValidateService",
            ])
    }

    @Test func defaultOrderWithTrafficHooks() {
        #expect(
            LifecycleSequence.defaultEvents(trafficHooks: true) == [
                "BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop", "DownloadBundle", "BeforeInstall",
                "Install",
                "AfterInstall", "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AfterAllowTraffic",
            ])
    }

    /// The examples of spec §7.
    @Test(arguments: [
        (["Stop", "Start", "HealthCheck"], ["DownloadBundle", "Install", "Stop", "Start", "HealthCheck"]),
        (["DownloadBundle", "ApplicationStart"], ["DownloadBundle", "Install", "ApplicationStart"]),
        (["ApplicationStop"], ["DownloadBundle", "Install", "ApplicationStop"]),
        (
            ["ApplicationStop", "DownloadBundle", "Install", "ApplicationStart"],
            ["ApplicationStop", "DownloadBundle", "Install", "ApplicationStart"]
        ),
        (["Install", "DownloadBundle"], ["DownloadBundle", "Install"]),
    ])
    func requestedEvents(requested: [String], expected: [String]) {
        let result = LifecycleSequence.requestedEvents(requested, spec: Self.spec)
        #expect(result.problems.isEmpty)
        #expect(result.events.map(\.name) == expected)
    }

    @Test func orderingRulesAndUnknownNames() {
        let problems = LifecycleSequence.requestedEvents(
            ["BeforeInstall", "DownloadBundle", "Install", "Nope"], spec: Self.spec
        ).problems
        #expect(
            problems.contains {
                $0.hasPrefix(
                    "only BeforeBlockTraffic, AfterBlockTraffic and ApplicationStop can come before DownloadBundle")
            })
        #expect(problems.contains { $0.hasPrefix("Nope is neither") })
        let install = LifecycleSequence.requestedEvents(["DownloadBundle", "Start", "Install"], spec: Self.spec)
            .problems
        #expect(install.contains { $0.contains("before Install") })
    }
}
