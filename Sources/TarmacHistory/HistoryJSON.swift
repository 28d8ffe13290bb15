import Foundation

/// The JSON of `tarmac show` and `tarmac history`: sorted keys, ISO 8601 UTC with milliseconds.
public enum HistoryJSON {
    /// The encoder both commands use.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }

    /// The decoder for the same JSON (tests, and tools reading tarmac's output).
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 time: \(text)"))
            }
            return date
        }
        return decoder
    }

    /// `2026-01-01T12:00:00.250Z`: UTC, milliseconds.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `show --json`.
    public static func show(_ detail: DeploymentDetail) throws -> Data {
        try encoder().encode(DeploymentView(detail))
    }

    /// `show --json` of an execution.
    public static func show(_ detail: ExecutionDetail) throws -> Data {
        try encoder().encode(ExecutionView(detail, withStages: true))
    }

    /// `history --json`: deployments and executions in one list, newest first.
    public static func history(_ summaries: [DeploymentSummary], executions: [ExecutionDetail] = []) throws -> Data {
        // The pretty printer writes an empty list over three lines.
        if summaries.isEmpty && executions.isEmpty { return Data("[]".utf8) }
        let items =
            summaries.map { HistoryItem.deployment(DeploymentView($0)) }
            + executions.map { HistoryItem.execution(ExecutionView($0, withStages: false)) }
        return try encoder().encode(items.sorted { $0.startedAt > $1.startedAt })
    }
}

/// One `history --json` item: a deployment or an execution.
enum HistoryItem: Encodable {
    case deployment(DeploymentView)
    case execution(ExecutionView)

    var startedAt: Date {
        switch self {
        case .deployment(let view): view.startedAt
        case .execution(let view): view.startedAt
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .deployment(let view): try view.encode(to: encoder)
        case .execution(let view): try view.encode(to: encoder)
        }
    }
}
