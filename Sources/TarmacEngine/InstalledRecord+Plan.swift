import TarmacCore

extension InstalledRecord {
    /// What Install put in place, before the host is asked how it stands.
    public enum Planned: Sendable, Equatable {
        case file(path: String, sha256: String)
        case link(path: String, target: String)
        case directory(path: String)

        public var path: String {
            switch self {
            case .file(let path, _), .link(let path, _), .directory(let path): path
            }
        }
    }

    /// The plan's directories, files (with their manifest SHA-256) and links; retained files are not tarmac's.
    /// A kept file (left alone because it already is the new revision's) carries the SHA-256 the
    /// host reported for it (`digests`, which the plan checked against the manifest).
    public static func planned(
        _ plan: InstallPlan, files: [BundleManifest.File], digests hashed: [String: String] = [:]
    ) -> [Planned] {
        let digests = Dictionary(files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        return plan.steps.compactMap { step in
            switch step {
            case .makeDirectory(let path), .keepDirectory(let path, _): return .directory(path: path)
            case .keepFile(let destination, _): return hashed[destination].map { .file(path: destination, sha256: $0) }
            case .copyFile(let source, let destination, _, _):
                return (digests[source] ?? nil).map { .file(path: destination, sha256: $0) }
            case .symlink(let target, let destination, _): return .link(path: destination, target: target)
            case .retain: return nil
            }
        }
    }

    /// The record from the planned entries and what `DriftProgram.statHelper` reported
    /// (`st` facts); an entry the host no longer has, or has as another type, is left out.
    public static func make(_ planned: [Planned], destinations: [String], lines: [ProgramLine]) -> InstalledRecord {
        var stats: [Int: [String]] = [:]
        var batch: (next: Int, end: Int)?
        for case .fact(let key, let value) in lines {
            let words = value.split(separator: " ").map(String.init)
            switch key {
            case "st":
                if let index = words.first.flatMap(Int.init) { stats[index] = Array(words.dropFirst()) }
            case "stb":
                // A batch whose stat answered for every path: its `stl` lines follow, one per path.
                guard words.count == 2, let start = Int(words[0]), let count = Int(words[1]) else { continue }
                batch = (start, start + count)
            case "stl":
                guard let (index, end) = batch, index < end else { continue }
                batch = (index + 1, end)
                if let stat = Self.stat(rawModeLine: words) { stats[index] = stat }
            default: continue
            }
        }
        var record = InstalledRecord(destinations: destinations, entries: [])
        for (index, entry) in planned.enumerated() {
            let stat = stats[index] ?? []
            switch (entry, stat.first, stat.count) {
            case (.file(let path, let sha256), "f", 6):
                record.entries.append(
                    .file(
                        path: path, sha256: sha256, mode: stat[1], uid: stat[2], gid: stat[3], size: stat[4],
                        mtime: stat[5]))
            case (.link(let path, let target), "l", _): record.entries.append(.link(path: path, target: target))
            case (.directory(let path), "d", 4):
                record.entries.append(.directory(path: path, mode: stat[1], uid: stat[2], gid: stat[3]))
            default: continue
            }
        }
        return record
    }

    /// `%f %a %u %g %s %Y` (raw mode in hex first) as an `st` fact's words: `f …`, `d mode uid
    /// gid`, `l`; nil for anything else.
    static func stat(rawModeLine words: [String]) -> [String]? {
        guard words.count == 6, let raw = UInt32(words[0], radix: 16) else { return nil }
        switch raw & 0o170000 {
        case 0o100000: return ["f"] + words[1...]
        case 0o040000: return ["d"] + words[1...3]
        case 0o120000: return ["l"]
        default: return nil
        }
    }

    /// The lines of a program that report each planned path's state (`st` facts).
    public static func statLines(_ planned: [Planned]) -> ShellScript {
        var s = DriftProgram.statHelper()
        for range in ArgumentBatches.ranges(planned.count, size: { planned[$0].path.utf8.count }) {
            s.run(ShellCommand(["t_stats_of", .number(range.lowerBound)] + planned[range].map { .quoted($0.path) }))
        }
        return s
    }
}
