import TarmacCore

/// Which events one host runs, in which order (spec §2.1, §7).
public enum LifecycleSequence {
    /// The default in-place order. The four scriptable traffic hooks join only with traffic
    /// control (tarmac has no load balancer; BlockTraffic/AllowTraffic are the group's commands).
    public static func defaultEvents(trafficHooks: Bool) -> [String] {
        LifecycleEvent.allCases
            .filter { trafficHooks ? ($0 != .blockTraffic && $0 != .allowTraffic) : !$0.needsTrafficControl }
            .map(\.rawValue)
    }

    /// The events of `--events`: DownloadBundle and Install are added in front when missing,
    /// swapped when Install comes first, and the ordering rules of `codedeploy-local` apply.
    /// Custom names must be hook events of the AppSpec.
    /// Returns the events, or every problem with the list.
    public static func requestedEvents(_ requested: [String], spec: AppSpec) -> (events: [String], problems: [String]) {
        var events = requested.filter { !$0.isEmpty }
        var problems: [String] = []
        if !events.contains("Install") { events.insert("Install", at: 0) }
        if !events.contains("DownloadBundle") { events.insert("DownloadBundle", at: 0) }
        if let install = events.firstIndex(of: "Install"), let download = events.firstIndex(of: "DownloadBundle"),
            install < download
        {
            events.swapAt(install, download)
        }
        let beforeDownload: Set<String> = ["BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop"]
        if let download = events.firstIndex(of: "DownloadBundle"),
            events[..<download].contains(where: { !beforeDownload.contains($0) })
        {
            problems.append(
                "only BeforeBlockTraffic, AfterBlockTraffic and ApplicationStop can come before DownloadBundle; "
                    + "fix the order of --events: \(events.joined(separator: ","))")
        }
        let beforeInstall = beforeDownload.union(["DownloadBundle", "BeforeInstall"])
        if let install = events.firstIndex(of: "Install"),
            events[..<install].contains(where: { !beforeInstall.contains($0) })
        {
            problems.append(
                "only BeforeBlockTraffic, AfterBlockTraffic, ApplicationStop, DownloadBundle and BeforeInstall can come "
                    + "before Install; fix the order of --events: \(events.joined(separator: ","))")
        }
        let known = Set(LifecycleEvent.allCases.map(\.rawValue))
        let custom = Set(spec.hooks.map(\.name))
        for name in events where !known.contains(name) && !custom.contains(name) {
            problems.append("\(name) is neither a lifecycle event nor a hook event of the AppSpec")
        }
        for name in events where name == "BlockTraffic" || name == "AllowTraffic" {
            problems.append(
                "\(name) is done by the group's traffic commands during a deployment; it cannot run in tarmac apply")
        }
        if Set(events).count != events.count {
            problems.append("--events names an event more than once: \(events.joined(separator: ","))")
        }
        return (events, problems)
    }
}
