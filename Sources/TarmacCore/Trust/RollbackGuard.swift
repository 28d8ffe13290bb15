import Foundation

/// The highest sequence a host accepted for one application and group, kept in
/// `HostLayout.highWaterFile` as JSON.
public struct HighWaterMark: Codable, Sendable, Equatable {
    /// The bundle's sequence: its commit's committer time, in seconds since 1970.
    public var sequence: Int64
    public var revision: String
    public var deploymentID: String

    public init(sequence: Int64, revision: String, deploymentID: String) {
        self.sequence = sequence
        self.revision = revision
        self.deploymentID = deploymentID
    }

    enum CodingKeys: String, CodingKey {
        case sequence, revision
        case deploymentID = "deployment_id"
    }

    /// The record's text.
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// The record read back; nil when it is damaged.
    public static func parse(_ bytes: [UInt8]) -> HighWaterMark? {
        try? JSONDecoder().decode(HighWaterMark.self, from: Data(bytes))
    }
}

/// What `apply --trust-key` does with a signed bundle, given what the host accepted before.
public enum RollbackDecision: Sendable, Equatable {
    /// Go ahead; `raise` is the new mark to write once the deployment ran (nil: keep the old one).
    case accept(raise: HighWaterMark?)
    /// An older bundle, installed on the operator's `--allow-downgrade`; the mark stays.
    case downgrade(from: HighWaterMark)
    /// Refused (exit 2, nothing changed): the message names both revisions.
    case refuse(String)
}

/// The anti-rollback rule (TUF's rollback attack): a host never goes back to a bundle whose
/// sequence is lower than the highest it accepted for that application and group, unless the
/// operator says so.
public enum RollbackGuard {
    /// Decides for a bundle with `sequence` (nil: the bundle carries none, e.g. not built by tarmac).
    public static func decide(
        sequence: Int64?, revision: String, deploymentID: String, mark: HighWaterMark?, allowDowngrade: Bool
    ) -> RollbackDecision {
        guard let mark else {
            return .accept(
                raise: sequence.map { HighWaterMark(sequence: $0, revision: revision, deploymentID: deploymentID) })
        }
        if let sequence, sequence >= mark.sequence {
            let raise = sequence > mark.sequence
            return .accept(
                raise: raise ? HighWaterMark(sequence: sequence, revision: revision, deploymentID: deploymentID) : nil)
        }
        if allowDowngrade { return .downgrade(from: mark) }
        let what =
            sequence.map { "sequence \($0), \(time($0))" }
            ?? "no sequence (it has no tarmac manifest), so it cannot be shown to be newer"
        return .refuse(
            "refusing a rollback: this bundle is revision \(revision) (\(what)), older than revision \(mark.revision) (sequence \(mark.sequence), \(time(mark.sequence))) that this host already accepted for this application and group in deployment \(mark.deploymentID); pass --allow-downgrade to install it anyway"
        )
    }

    private static func time(_ sequence: Int64) -> String {
        "committed "
            + Date(timeIntervalSince1970: TimeInterval(sequence)).formatted(
                Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}
