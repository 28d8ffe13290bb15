/// What the last successful Install of a group left on the host, as it stood when the
/// deployment ended: every file with the SHA-256 its revision's manifest gives and the mode,
/// owner, size and mtime it had, every link with its text, every directory Install made, and
/// the AppSpec's destinations (where `tarmac verify` looks for extra files).
///
/// It is kept in `HostLayout.installedFile` as lines of tarmac's own shell syntax with every
/// value quoted (`ShellWord`), so `DriftProgram` can read it with the shell that checks the
/// host; like every record it is root's, written by `mktemp` + rename, and refused if another
/// user could have planted it.
///
///     t_dest '/opt/app'
///     t_f 0 '/opt/app/index.html' 'e3b0c4…' 644 0 0 12 1767225600
///     t_l 1 '/opt/app/current' 'index.html'
///     t_d 2 '/opt/app/css' 755 0 0
public struct InstalledRecord: Sendable, Equatable {
    public enum Entry: Sendable, Equatable {
        case file(path: String, sha256: String, mode: String, uid: String, gid: String, size: String, mtime: String)
        case link(path: String, target: String)
        case directory(path: String, mode: String, uid: String, gid: String)

        public var path: String {
            switch self {
            case .file(let path, _, _, _, _, _, _), .link(let path, _), .directory(let path, _, _, _): path
            }
        }
    }

    public var destinations: [String]
    public var entries: [Entry]

    public init(destinations: [String], entries: [Entry]) {
        self.destinations = destinations
        self.entries = entries
    }

    /// The record's text.
    public var text: String {
        var script = ShellScript()
        for destination in destinations { script.run("t_dest", .quoted(destination)) }
        for (index, entry) in entries.enumerated() {
            switch entry {
            case .file(let path, let sha256, let mode, let uid, let gid, let size, let mtime):
                script.run(
                    "t_f", .number(index), .quoted(path), .quoted(sha256), .quoted(mode), .quoted(uid), .quoted(gid),
                    .quoted(size), .quoted(mtime))
            case .link(let path, let target):
                script.run("t_l", .number(index), .quoted(path), .quoted(target))
            case .directory(let path, let mode, let uid, let gid):
                script.run("t_d", .number(index), .quoted(path), .quoted(mode), .quoted(uid), .quoted(gid))
            }
        }
        return script.lines.joined(separator: "\n") + "\n"
    }

    /// Reads a record back; nil when it is not one tarmac wrote.
    public static func parse(_ text: String) -> InstalledRecord? {
        guard let words = ShellWords.split(text) else { return nil }
        var record = InstalledRecord(destinations: [], entries: [])
        for line in words {
            switch (line.first, line.count) {
            case ("t_dest", 2): record.destinations.append(line[1])
            case ("t_f", 9):
                record.entries.append(
                    .file(
                        path: line[2], sha256: line[3], mode: line[4], uid: line[5], gid: line[6], size: line[7],
                        mtime: line[8]))
            case ("t_l", 4): record.entries.append(.link(path: line[2], target: line[3]))
            case ("t_d", 6): record.entries.append(.directory(path: line[2], mode: line[3], uid: line[4], gid: line[5]))
            default: return nil
            }
        }
        return record
    }
}

/// Splits text that `ShellScript` rendered from words into its lines of words: bare words,
/// and single-quoted ones (`'\''` for a quote). Only that subset: anything else is nil.
enum ShellWords {
    static func split(_ text: String) -> [[String]]? {
        var lines: [[String]] = []
        var line: [String] = []
        var word: String?
        var quoted = false
        var chars = Array(text)
        chars.append("\n")
        var index = 0
        while index < chars.count {
            let c = chars[index]
            index += 1
            if quoted {
                if c == "'" { quoted = false } else { word!.append(c) }
                continue
            }
            switch c {
            case "'":
                quoted = true
                if word == nil { word = "" }
            case "\\":
                guard index < chars.count, chars[index] == "'" else { return nil }
                word = (word ?? "") + "'"
                index += 1
            case " ", "\n":
                if let finished = word { line.append(finished) }
                word = nil
                if c == "\n" && !line.isEmpty {
                    lines.append(line)
                    line = []
                }
            default:
                word = (word ?? "") + String(c)
            }
        }
        return quoted ? nil : lines
    }
}
