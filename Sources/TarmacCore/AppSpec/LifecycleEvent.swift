/// The in-place lifecycle events, in the order a deployment runs them (spec 2.1).
public enum LifecycleEvent: String, Sendable, CaseIterable, Hashable {
    case beforeBlockTraffic = "BeforeBlockTraffic"
    case blockTraffic = "BlockTraffic"
    case afterBlockTraffic = "AfterBlockTraffic"
    case applicationStop = "ApplicationStop"
    case downloadBundle = "DownloadBundle"
    case beforeInstall = "BeforeInstall"
    case install = "Install"
    case afterInstall = "AfterInstall"
    case applicationStart = "ApplicationStart"
    case validateService = "ValidateService"
    case beforeAllowTraffic = "BeforeAllowTraffic"
    case allowTraffic = "AllowTraffic"
    case afterAllowTraffic = "AfterAllowTraffic"

    /// False for the four events tarmac itself performs, which take no scripts.
    public var isScriptable: Bool {
        switch self {
        case .blockTraffic, .downloadBundle, .install, .allowTraffic: return false
        default: return true
        }
    }

    /// True for the events that run the scripts of the last successful revision (spec 2.2).
    public var usesLastSuccessfulRevision: Bool {
        self == .beforeBlockTraffic || self == .afterBlockTraffic || self == .applicationStop
    }

    /// True for the events that run only when the group has traffic control.
    public var needsTrafficControl: Bool {
        switch self {
        case .beforeBlockTraffic, .blockTraffic, .afterBlockTraffic,
            .beforeAllowTraffic, .allowTraffic, .afterAllowTraffic:
            return true
        default: return false
        }
    }

    /// The names of the events that accept hook scripts, in order.
    public static var scriptableNames: [String] {
        allCases.filter(\.isScriptable).map(\.rawValue)
    }
}
