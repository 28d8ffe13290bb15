/// Why the history could not be read or written; each case names what it is about.
public enum HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database could not be opened, migrated, read or written.
    case storage(path: String, reason: String)
    /// No deployment has this id.
    case unknownDeployment(String)
    /// The deployment has no such host (hosts are given to `begin`).
    case unknownHost(deployment: String, host: String)
    /// A deployment with this id was already recorded.
    case duplicateDeployment(String)

    public var description: String {
        switch self {
        case .storage(let path, let reason): "deployment history \(path): \(reason)"
        case .unknownDeployment(let id): "no deployment \(id) in the history"
        case .unknownHost(let deployment, let host): "deployment \(deployment) has no host \(host)"
        case .duplicateDeployment(let id): "deployment \(id) is already in the history"
        }
    }
}
