import TarmacCore

/// Which events one host runs, in which order (spec §2.1, §7).
public enum LifecycleSequence {
    /// The default in-place order. The four scriptable traffic hooks join only with traffic
    /// control (tarmac has no load balancer; BlockTraffic/AllowTraffic are the group's commands).
    public static func defaultEvents(trafficHooks: Bool) -> [DeploymentEvent] {
        LifecycleEvent.allCases
            .filter { trafficHooks ? ($0 != .blockTraffic && $0 != .allowTraffic) : !$0.needsTrafficControl }
            .map(DeploymentEvent.lifecycle)
    }

    /// Every lifecycle event in order: a group with traffic control runs all thirteen.
    public static var allEvents: [DeploymentEvent] { LifecycleEvent.allCases.map(DeploymentEvent.lifecycle) }

    /// The events of `--events`: DownloadBundle and Install are added in front when missing,
    /// swapped when Install comes first, and the ordering rules of `codedeploy-local` apply.
    /// Custom names must be hook events of the AppSpec.
    /// Returns the events, or every problem with the list.
    public static func requestedEvents(_ requested: [String], spec: AppSpec) -> (
        events: [DeploymentEvent], problems: [String]
    ) {
        var events = requested.filter { !$0.isEmpty }.map(DeploymentEvent.init(name:))
        var problems: [String] = []
        let download = DeploymentEvent.lifecycle(.downloadBundle)
        let install = DeploymentEvent.lifecycle(.install)
        if !events.contains(install) { events.insert(install, at: 0) }
        if !events.contains(download) { events.insert(download, at: 0) }
        if let i = events.firstIndex(of: install), let d = events.firstIndex(of: download), i < d {
            events.swapAt(i, d)
        }
        let list = events.map(\.name).joined(separator: ",")
        if let d = events.firstIndex(of: download), events[..<d].contains(where: { !$0.usesLastSuccessfulRevision }) {
            problems.append(
                "only BeforeBlockTraffic, AfterBlockTraffic and ApplicationStop can come before DownloadBundle; "
                    + "fix the order of --events: \(list)")
        }
        if let i = events.firstIndex(of: install),
            events[..<i].contains(where: { !($0.usesLastSuccessfulRevision || $0 == download || $0 == "BeforeInstall") }
            )
        {
            problems.append(
                "only BeforeBlockTraffic, AfterBlockTraffic, ApplicationStop, DownloadBundle and BeforeInstall can come "
                    + "before Install; fix the order of --events: \(list)")
        }
        let custom = Set(spec.hooks.map(\.name))
        for case .custom(let name) in events where !custom.contains(name) {
            problems.append("\(name) is neither a lifecycle event nor a hook event of the AppSpec")
        }
        for event in events where event == .lifecycle(.blockTraffic) || event == .lifecycle(.allowTraffic) {
            problems.append(
                "\(event) is done by the group's traffic commands during a deployment; it cannot run in tarmac apply")
        }
        if Set(events).count != events.count {
            problems.append("--events names an event more than once: \(list)")
        }
        return (events, problems)
    }
}
