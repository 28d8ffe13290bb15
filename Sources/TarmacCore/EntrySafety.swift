/// Judges archive members before anything is written: the rules that keep a bundle from
/// reaching outside the directory it is unpacked into.
///
/// Stateful only in what it has seen so far (symlinks and paths), so a member that goes
/// *through* an earlier symlink is caught too. Pure: it never touches the disk.
public struct EntrySafety: Sendable {
    public enum Kind: Sendable, Equatable {
        case file, directory, symlink(target: String), hardlink(target: String), special(String)
    }

    private var symlinks: Set<String> = []

    public init() {}

    /// The reason `path` is hostile, or nil when it is safe to unpack.
    public mutating func check(path: String, kind: Kind) -> String? {
        if path.hasPrefix("/") { return "absolute path \(quoted(path))" }
        let parts = components(path)
        if parts.contains("..") { return "path \(quoted(path)) climbs out with '..'" }
        if parts.isEmpty { return nil }
        for depth in 1..<parts.count where symlinks.contains(parts[..<depth].joined(separator: "/")) {
            return "path \(quoted(path)) goes through the symlink \(quoted(parts[..<depth].joined(separator: "/")))"
        }
        switch kind {
        case .special(let what):
            return "\(what) \(quoted(path)): device files, fifos and sockets are never installed"
        case .hardlink(let target):
            if target.hasPrefix("/") || escapes(Array(components(target))) {
                return "hard link \(quoted(path)) points out of the tree to \(quoted(target))"
            }
        case .symlink(let target):
            // Remembered even when refused, so members beneath it are refused too.
            symlinks.insert(parts.joined(separator: "/"))
            if target.hasPrefix("/") || escapes(Array(parts.dropLast()) + components(target)) {
                return "symlink \(quoted(path)) escapes the bundle: it points to \(quoted(target))"
            }
        case .file, .directory:
            break
        }
        return nil
    }

    private func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }

    /// True when resolving the components lexically climbs above the root.
    private func escapes(_ parts: [String]) -> Bool {
        var depth = 0
        for part in parts {
            if part == ".." {
                depth -= 1
                if depth < 0 { return true }
            } else {
                depth += 1
            }
        }
        return false
    }

    private func quoted(_ path: String) -> String {
        Quote.text(path)
    }
}
