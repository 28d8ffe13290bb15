import TarmacCore
import TarmacEngine
import Testing

/// Spec §2.2: which revision's scripts an event runs.
@Suite("RevisionSelection: the last successful revision rule")
struct RevisionSelectionTests {
    static let defaultOrder = LifecycleSequence.defaultEvents(trafficHooks: true).map(\.name)
    /// `--events` with the stop event after DownloadBundle (codedeploy-local's form).
    static let stopAfterDownload = ["DownloadBundle", "Install", "ApplicationStop", "AfterInstall"]

    static func typed(_ names: [String]) -> [DeploymentEvent] { names.map(DeploymentEvent.init(name:)) }

    @Test(arguments: [
        ("BeforeBlockTraffic", defaultOrder, RevisionSelection.Source.lastSuccessful),
        ("AfterBlockTraffic", defaultOrder, .lastSuccessful),
        ("ApplicationStop", defaultOrder, .lastSuccessful),
        ("BeforeInstall", defaultOrder, .newRevision),
        ("AfterInstall", defaultOrder, .newRevision),
        ("ApplicationStart", defaultOrder, .newRevision),
        ("ValidateService", defaultOrder, .newRevision),
        ("BeforeAllowTraffic", defaultOrder, .newRevision),
        ("AfterAllowTraffic", defaultOrder, .newRevision),
        ("ApplicationStop", stopAfterDownload, .newRevision),
        ("ApplicationStop", ["ApplicationStop"], .lastSuccessful),
        ("CustomEvent", ["DownloadBundle", "Install", "CustomEvent"], .newRevision),
    ])
    func sourceFollowsTheEventAndItsPlaceInTheOrder(
        event: String, events: [String], expected: RevisionSelection.Source
    ) {
        #expect(RevisionSelection.source(of: DeploymentEvent(name: event), in: Self.typed(events)) == expected)
    }

    static func facts(last: String?, exists: Bool = true) -> HostFacts {
        var facts = HostFacts()
        facts.lastSuccessful = last
        facts.lastSuccessfulExists = exists
        return facts
    }

    @Test(arguments: [
        (facts(last: nil), RevisionSelection.Choice.noEarlierRevision),
        (facts(last: "/r/g/d-1", exists: false), .earlierGone(directory: "/r/g/d-1")),
        (facts(last: "/r/g/d-1"), .earlier(directory: "/r/g/d-1")),
    ])
    func aStopEventBeforeDownloadTakesTheLastSuccessfulRevision(facts: HostFacts, expected: RevisionSelection.Choice) {
        let order = Self.typed(Self.defaultOrder)
        #expect(RevisionSelection.choice(for: "ApplicationStop", in: order, facts: facts) == expected)
        #expect(RevisionSelection.choice(for: "AfterInstall", in: order, facts: facts) == .newRevision)
        let late = Self.typed(Self.stopAfterDownload)
        #expect(RevisionSelection.choice(for: "ApplicationStop", in: late, facts: facts) == .newRevision)
    }

    @Test func theEarlierAppSpecRunsUnlessUnreadableOrUnsafe() {
        let spec = AppSpec.parse(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStop:\n    - location: stop.sh\n", file: "appspec.yml"
        ).0!
        let empty = AppSpec.parse("version: 0.0\nos: linux\n", file: "appspec.yml").0!
        var unsafe = Self.facts(last: "/r/g/d-1")
        unsafe.lastSuccessfulUnsafe = "scripts"
        #expect(
            RevisionSelection.earlier(nil, for: "ApplicationStop", facts: Self.facts(last: "/r/g/d-1")) == .unreadable)
        #expect(
            RevisionSelection.earlier(spec, for: "ApplicationStop", facts: Self.facts(last: "/r/g/d-1")) == .run(spec))
        #expect(RevisionSelection.earlier(spec, for: "ApplicationStop", facts: unsafe) == .unsafe(path: "scripts"))
        // Nothing to run: files others could change do not matter.
        #expect(RevisionSelection.earlier(empty, for: "ApplicationStop", facts: unsafe) == .run(empty))
    }

    @Test func newRevisionEventsLeaveOutTheStopEventsBeforeDownload() {
        #expect(
            RevisionSelection.newRevisionEvents(Self.typed(Self.defaultOrder)) == [
                "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart", "ValidateService",
                "BeforeAllowTraffic", "AfterAllowTraffic",
            ])
        #expect(
            RevisionSelection.newRevisionEvents(Self.typed(Self.stopAfterDownload))
                == Self.typed(Self.stopAfterDownload))
    }
}
