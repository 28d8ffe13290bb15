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
///     t_f '/opt/app/index.html' 'e3b0c4…' 644 0 0 12 1767225600
///     t_l '/opt/app/current' 'index.html'
///     t_d '/opt/app/css' 755 0 0
///
/// An entry's index is its position, counted by the reader: a file added or removed leaves
/// every other line as it was, so the program that writes the next record goes as an edit of
/// the last one. Records of earlier versions carry the index as each line's first value
/// (`t_f 0 '/opt/app/index.html' …`); they are read alike.
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
        for entry in entries {
            switch entry {
            case .file(let path, let sha256, let mode, let uid, let gid, let size, let mtime):
                script.run(
                    "t_f", .quoted(path), .quoted(sha256), .quoted(mode), .quoted(uid), .quoted(gid), .quoted(size),
                    .quoted(mtime))
            case .link(let path, let target):
                script.run("t_l", .quoted(path), .quoted(target))
            case .directory(let path, let mode, let uid, let gid):
                script.run("t_d", .quoted(path), .quoted(mode), .quoted(uid), .quoted(gid))
            }
        }
        return script.lines.joined(separator: "\n") + "\n"
    }

    /// Reads a record back (with or without the index of earlier versions); nil when it is not
    /// one tarmac wrote.
    public static func parse(_ text: String) -> InstalledRecord? {
        guard let words = ShellWords.split(text) else { return nil }
        var record = InstalledRecord(destinations: [], entries: [])
        for line in words {
            // An earlier version's line: the index after the name, which is the position anyway.
            let indexed = [("t_f", 9), ("t_l", 4), ("t_d", 6)].contains { $0 == (line.first, line.count) }
            let v = indexed ? Array(line.dropFirst(2)) : Array(line.dropFirst())
            switch (line.first, v.count) {
            case ("t_dest", 1): record.destinations.append(v[0])
            case ("t_f", 7):
                record.entries.append(
                    .file(path: v[0], sha256: v[1], mode: v[2], uid: v[3], gid: v[4], size: v[5], mtime: v[6]))
            case ("t_l", 2): record.entries.append(.link(path: v[0], target: v[1]))
            case ("t_d", 4): record.entries.append(.directory(path: v[0], mode: v[1], uid: v[2], gid: v[3]))
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
