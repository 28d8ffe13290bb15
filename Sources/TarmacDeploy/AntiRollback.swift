import TarmacCore
import TarmacEngine
import TarmacHost

/// Carries out the anti-rollback rule on a host: reads the high-water mark, lets
/// `RollbackGuard` decide, and raises the mark once the deployment ran.
public struct AntiRollback: Sendable {
    public let records: HostRecords

    public init(transport: any HostTransport, layout: HostLayout) {
        records = HostRecords(transport: transport, layout: layout)
    }

    /// The decision for a bundle; throws when the mark cannot be read safely or is damaged.
    public func check(sequence: Int64?, revision: String, deploymentID: String, allowDowngrade: Bool) async throws
        -> RollbackDecision
    {
        let layout = records.layout
        let mark: HighWaterMark?
        if let bytes = try await records.read(layout.highWaterFile, in: layout.instructions) {
            guard let parsed = HighWaterMark.parse(bytes) else {
                throw HostRecords.Problem(
                    message:
                        "\(layout.highWaterFile) is damaged: it is not a high-water mark tarmac wrote; check it, then remove it",
                    unsafe: true)
            }
            mark = parsed
        } else {
            mark = nil
        }
        return RollbackGuard.decide(
            sequence: sequence, revision: revision, deploymentID: deploymentID, mark: mark,
            allowDowngrade: allowDowngrade)
    }

    /// Writes the raised mark, if the decision raised it.
    public func record(_ decision: RollbackDecision) async throws {
        guard case .accept(let raise?) = decision else { return }
        let layout = records.layout
        try await records.write(
            [(layout.highWaterFile, raise.text)], in: layout.instructions, label: "high-water")
    }
}
