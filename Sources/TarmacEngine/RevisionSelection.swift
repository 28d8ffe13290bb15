import TarmacCore

/// Which revision's AppSpec and scripts an event runs (spec §2.2), in one place for the
/// deployment and for `tarmac plan`.
///
/// BeforeBlockTraffic, AfterBlockTraffic and ApplicationStop run the scripts of the last
/// successful revision on this host for this group, unless DownloadBundle comes before them in
/// this deployment's order: then the new revision's archive exists when they run, and theirs
/// are the new revision's scripts. Every other event runs the new revision's scripts.
public enum RevisionSelection {
    /// Where an event's scripts come from, from the event order alone.
    public enum Source: Sendable, Equatable {
        case newRevision
        case lastSuccessful
    }

    /// What an event runs once the host's facts are known.
    public enum Choice: Sendable, Equatable {
        /// The new revision's scripts.
        case newRevision
        /// No last successful revision is recorded (a first deployment): nothing runs, and the
        /// event succeeds (spec §2.3).
        case noEarlierRevision
        /// The recorded revision's directory is gone from the host: nothing runs, the event
        /// succeeds with a warning.
        case earlierGone(directory: String)
        /// The scripts of the revision in `directory`, once its AppSpec is read (`earlier(…)`).
        case earlier(directory: String)
    }

    /// What a stop event does with the last successful revision's AppSpec, once read.
    public enum Earlier: Sendable, Equatable {
        /// Its AppSpec could not be read: the event fails.
        case unreadable
        /// It has scripts for the event, but `path` (relative to its directory) could have been
        /// changed by other users: the event fails without running them.
        case unsafe(path: String)
        /// Run these scripts (possibly none).
        case run(AppSpec)
    }

    /// Where `event`'s scripts come from in a deployment running `events` in order.
    public static func source(of event: DeploymentEvent, in events: [DeploymentEvent]) -> Source {
        guard event.usesLastSuccessfulRevision else { return .newRevision }
        return downloadPrecedes(event, in: events) ? .newRevision : .lastSuccessful
    }

    /// What `event` runs on a host with `facts`.
    public static func choice(for event: DeploymentEvent, in events: [DeploymentEvent], facts: HostFacts) -> Choice {
        guard source(of: event, in: events) == .lastSuccessful else { return .newRevision }
        guard let last = facts.lastSuccessful else { return .noEarlierRevision }
        guard facts.lastSuccessfulExists else { return .earlierGone(directory: last) }
        return .earlier(directory: last)
    }

    /// What `event` runs from the earlier revision whose AppSpec read as `spec` (nil: unreadable).
    public static func earlier(_ spec: AppSpec?, for event: DeploymentEvent, facts: HostFacts) -> Earlier {
        guard let spec else { return .unreadable }
        if let unsafe = facts.lastSuccessfulUnsafe, !spec.scripts(for: event).isEmpty {
            return .unsafe(path: unsafe)
        }
        return .run(spec)
    }

    /// The events of `events` whose scripts come from the new revision.
    public static func newRevisionEvents(_ events: [DeploymentEvent]) -> [DeploymentEvent] {
        events.filter { source(of: $0, in: events) == .newRevision }
    }

    /// Whether DownloadBundle comes before `event` in `events`.
    static func downloadPrecedes(_ event: DeploymentEvent, in events: [DeploymentEvent]) -> Bool {
        guard let download = events.firstIndex(of: .lifecycle(.downloadBundle)),
            let position = events.firstIndex(of: event)
        else { return false }
        return download < position
    }
}
