/// One event of a deployment's order: a lifecycle event, or a custom hook event of the AppSpec
/// named with `--events` (spec §7).
public enum DeploymentEvent: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    case lifecycle(LifecycleEvent)
    case custom(String)

    /// The lifecycle event of that name, or a custom event.
    public init(name: String) {
        self = LifecycleEvent(rawValue: name).map(DeploymentEvent.lifecycle) ?? .custom(name)
    }

    public init(stringLiteral name: String) {
        self.init(name: name)
    }

    /// The name as the AppSpec and the logs write it.
    public var name: String {
        switch self {
        case .lifecycle(let event): event.rawValue
        case .custom(let name): name
        }
    }

    public var description: String { name }

    /// The lifecycle event, nil for a custom one.
    public var lifecycle: LifecycleEvent? {
        if case .lifecycle(let event) = self { event } else { nil }
    }

    /// True for the events that run the scripts of the last successful revision (spec §2.2).
    public var usesLastSuccessfulRevision: Bool { lifecycle?.usesLastSuccessfulRevision ?? false }

    /// False for the four events tarmac itself performs; custom events take scripts.
    public var isScriptable: Bool { lifecycle?.isScriptable ?? true }
}
