/// What `tarmac verify` found on one host: installed files that changed, that are gone, and
/// files below the destinations that no install recorded (extra; an app may write there).
public struct DriftReport: Sendable, Equatable, Encodable {
    /// One installed path and how it differs: `content`, `mode 600 (installed 644)`, `owner 33:33 (installed 0:0)`, `type`.
    public struct Modified: Sendable, Equatable, Encodable {
        public var path: String
        public var changes: [String]

        public init(path: String, changes: [String]) {
            self.path = path
            self.changes = changes
        }
    }

    public var modified: [Modified] = []
    public var missing: [String] = []
    public var extra: [String] = []

    /// True when an installed file changed or is gone (extra files alone are not drift).
    public var hasDrift: Bool { !modified.isEmpty || !missing.isEmpty }

    /// How the host answered the drift program.
    public enum Reading: Sendable, Equatable {
        /// The group has no installed record (nothing installed, or the last Install failed).
        case noRecord
        /// The record could not be read back.
        case damaged
        case report(DriftReport)
    }

    /// Reads `DriftProgram`'s lines.
    public static func read(_ lines: [ProgramLine]) -> Reading {
        var recordBytes: [UInt8] = []
        var extraBytes: [UInt8] = []
        var findings: [(Int, String?)] = []
        for case .fact(let key, let value) in lines {
            switch key {
            case "norecord": return .noRecord
            case "rec": recordBytes += hex(value)
            case "extra": extraBytes += hex(value)
            case "missing": Int(value).map { findings.append(($0, nil)) }
            case "drift":
                let parts = value.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let index = Int(parts[0]) { findings.append((index, String(parts[1]))) }
            default: continue
            }
        }
        guard let text = String(validating: recordBytes, as: UTF8.self), let record = InstalledRecord.parse(text) else {
            return .damaged
        }
        return .report(make(record: record, findings: findings, found: extraBytes))
    }

    static func make(record: InstalledRecord, findings: [(Int, String?)], found: [UInt8]) -> DriftReport {
        var report = DriftReport()
        var changes: [Int: [String]] = [:]
        for (index, finding) in findings where record.entries.indices.contains(index) {
            guard let finding else {
                report.missing.append(record.entries[index].path)
                continue
            }
            changes[index, default: []].append(described(finding, entry: record.entries[index]))
        }
        for index in changes.keys.sorted() {
            report.modified.append(Modified(path: record.entries[index].path, changes: changes[index]!))
        }
        var known = Set(record.entries.map(\.path))
        for path in record.entries.map(\.path) {
            var parent = path
            while let slash = parent.lastIndex(of: "/"), slash != parent.startIndex {
                parent = String(parent[..<slash])
                known.insert(parent)
            }
        }
        report.extra = found.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            .filter { !known.contains($0) }.sorted()
        return report
    }

    private static func described(_ finding: String, entry: InstalledRecord.Entry) -> String {
        let parts = finding.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return finding }
        switch (parts[0], entry) {
        case ("mode", .file(_, _, let mode, _, _, _, _)), ("mode", .directory(_, let mode, _, _)):
            return "mode \(parts[1]) (installed \(mode))"
        case ("owner", .file(_, _, _, let uid, let gid, _, _)), ("owner", .directory(_, _, let uid, let gid)):
            return "owner \(parts[1]) (installed \(uid):\(gid))"
        default: return finding
        }
    }

    private static func hex(_ text: String) -> [UInt8] {
        text.split(separator: " ").compactMap { UInt8($0, radix: 16) }
    }
}
