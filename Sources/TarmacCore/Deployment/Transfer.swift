/// How a host got its revision's files: what DownloadBundle sent and why. Recorded in the
/// history per host; as JSON `{kind, bytes, base_revision?, reason?, files_reused, files_sent}`.
public struct Transfer: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, Equatable {
        case delta, full
    }

    public var kind: Kind
    /// The bytes sent to the host (the delta, or the full bundle; both when a delta fell back).
    public var bytes: Int64
    /// The base revision of a delta (also of one that fell back).
    public var baseRevision: String?
    /// Why the full bundle went: no base, no delta, or the delta fell back on the host.
    public var reason: String?
    /// Files the host took from its base, and files the delta carried.
    public var reusedFiles: Int = 0
    public var sentFiles: Int = 0

    enum CodingKeys: String, CodingKey {
        case kind, bytes, reason
        case baseRevision = "base_revision"
        case reusedFiles = "files_reused"
        case sentFiles = "files_sent"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        bytes = try container.decode(Int64.self, forKey: .bytes)
        baseRevision = try container.decodeIfPresent(String.self, forKey: .baseRevision)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        reusedFiles = try container.decodeIfPresent(Int.self, forKey: .reusedFiles) ?? 0
        sentFiles = try container.decodeIfPresent(Int.self, forKey: .sentFiles) ?? 0
    }

    /// File counts only for a delta (a full bundle carries every file).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(bytes, forKey: .bytes)
        try container.encodeIfPresent(baseRevision, forKey: .baseRevision)
        try container.encodeIfPresent(reason, forKey: .reason)
        if kind == .delta {
            try container.encode(reusedFiles, forKey: .reusedFiles)
            try container.encode(sentFiles, forKey: .sentFiles)
        }
    }

    public init(kind: Kind, bytes: Int64, baseRevision: String? = nil, reason: String? = nil) {
        self.kind = kind
        self.bytes = bytes
        self.baseRevision = baseRevision
        self.reason = reason
    }

    /// "delta from r1 (12.3 KiB, 1 of 2,548 files)" / "full bundle (65.9 MB; no revision installed)".
    public var summary: String {
        switch kind {
        case .delta:
            let total = reusedFiles + sentFiles
            return "delta from \(baseRevision ?? "?") (\(ByteSize.text(bytes)), \(sentFiles) of \(total) files)"
        case .full:
            return "full bundle (\(ByteSize.text(bytes))" + (reason.map { "; \($0)" } ?? "") + ")"
        }
    }
}
