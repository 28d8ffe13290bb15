import Foundation
import Testing

/// What a test needs of this machine: root, mount namespaces, sshd, the fleet's systems.
///
/// Where something is missing, the test is skipped — visibly, the skip says why — so a
/// developer without root still runs everything else. With `TARMAC_REQUIRE_FLEET=1` (set by
/// `make test` and CI, which run as root) nothing may be left out: the test runs anyway and
/// fails with the reason.
public enum Requirement {
    /// True when `TARMAC_REQUIRE_FLEET=1`: a missing precondition fails instead of skipping.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["TARMAC_REQUIRE_FLEET"] == "1" }

    /// A trait that runs the test where `missing()` is nil or when required, and otherwise
    /// skips it with the reason. The test itself must call `check` (directly or through
    /// `Fleet.start`, `PrivateMounts.make`, …) so that a required run fails.
    public static func trait(_ missing: @escaping @Sendable () -> String?) -> ConditionTrait {
        .enabled(
            if: isRequired || missing() == nil,
            Comment(
                rawValue: "skipped: \(missing() ?? "nothing missing") (TARMAC_REQUIRE_FLEET=1 makes this a failure)"))
    }

    /// Throws the reason when something is missing.
    public static func check(_ missing: String?) throws {
        guard let missing else { return }
        throw RequirementError(
            message: isRequired ? "\(missing) (required here: TARMAC_REQUIRE_FLEET=1)" : missing)
    }

    /// Nil for root; otherwise what `need` needs root for.
    public static func root(for need: String) -> String? {
        getuid() == 0 ? nil : "needs root (\(need))"
    }

    /// Nil where `unshare -m` works (root, mount namespaces allowed).
    public static let mountNamespaces: String? = {
        if let notRoot = root(for: "mount namespaces") { return notRoot }
        guard let probe = try? runCommand("unshare", ["-m", "true"]), probe.status == 0 else {
            return "unshare -m (a mount namespace) is not permitted here"
        }
        return nil
    }()
}

/// A precondition of a test that this machine does not meet.
public struct RequirementError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
