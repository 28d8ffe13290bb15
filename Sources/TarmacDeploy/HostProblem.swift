import TarmacCore
import TarmacEngine

/// Why a host could not go ahead: found before anything changed on it (or, for Install's
/// fresh plan, before Install removed anything). Rendered as prose only when shown.
public enum HostProblem: Sendable, Equatable, CustomStringConvertible {
    /// The host could not be reached, or a program's connection was lost.
    case unreachable(String)
    /// The lock program found it does not run as root; its notes say how.
    case notRoot(host: String, notes: [String])
    /// Another deployment holds the host's lock.
    case locked(host: String, holder: HostFacts.Lock, lockDirectory: String)
    /// The lock directory could not be made; the program's notes say why.
    case cannotLock(host: String, lockDirectory: String, notes: [String])
    /// The probe failed, or printed what tarmac cannot read.
    case probeFailed(host: String, reason: String)
    /// The deployment root's file system cannot hold the bundle and the unpacked revision.
    case notEnoughSpace(host: String, root: String, free: Int64, bundle: Int64, unpacked: Int64)
    /// The install plan refused: a conflict, a missing user or group, a tool the host lacks.
    case plan(PlanProblem)
    /// A health check failed right after the host's ValidateService.
    case healthCheck(check: String, output: String)

    public var description: String {
        switch self {
        case .unreachable(let error): return error
        case .notRoot(let host, let notes): return "\(host): \(notes.joined(separator: "; "))"
        case .locked(let host, let holder, let lockDirectory):
            let state =
                holder.holderAlive
                ? "is still running"
                : "is no longer running (a stale lock: check, then remove \(lockDirectory))"
            return "\(host) is locked by deployment \(holder.deploymentID) (pid \(holder.pid)), which \(state)"
        case .cannotLock(let host, let lockDirectory, let notes):
            return "\(host): cannot lock \(lockDirectory): \(notes.joined(separator: "; "))"
        case .probeFailed(let host, let reason): return "\(host): the probe failed: \(reason)"
        case .notEnoughSpace(let host, let root, let free, let bundle, let unpacked):
            let needed = bundle + unpacked
            return "\(host): not enough free space in \(root) to unpack the bundle: it needs \(ByteSize.text(needed)) "
                + "(\(needed) bytes: bundle.tar \(ByteSize.text(bundle)) and the unpacked revision \(ByteSize.text(unpacked))), "
                + "and only \(ByteSize.text(free)) (\(free) bytes) is free; nothing was written"
        case .plan(let problem): return problem.description
        case .healthCheck(let check, let output):
            return "health check \(Quote.text(check)) failed after ValidateService: \(output)"
        }
    }
}
