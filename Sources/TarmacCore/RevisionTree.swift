/// What a revision holds, as the validators see it: paths relative to the bundle root.
///
/// Built by the effects layer (from `git ls-tree`, a working tree or a bundle) so that the
/// validators stay pure. Parent directories are implied by the files beneath them.
public struct RevisionTree: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case file, directory, symlink, submodule
    }

    public struct Entry: Sendable, Equatable {
        public var kind: Kind
        public var executable: Bool
        public var size: Int64
        /// A symlink's target, when known (a bundle's members; not `git ls-tree`).
        public var target: String?

        public init(kind: Kind, executable: Bool = false, size: Int64 = 0, target: String? = nil) {
            self.kind = kind
            self.executable = executable
            self.size = size
            self.target = target
        }
    }

    public private(set) var entries: [String: Entry] = [:]
    /// The bytes of files a validator needs to look into (hook scripts), by path.
    public var contents: [String: [UInt8]] = [:]

    public init() {}

    public init(entries: [String: Entry], contents: [String: [UInt8]] = [:]) {
        self.contents = contents
        for (path, entry) in entries { insert(path, entry) }
    }

    /// Adds an entry and the directories above it.
    public mutating func insert(_ path: String, _ entry: Entry) {
        let clean = RevisionTree.normalize(path)
        guard !clean.isEmpty else { return }
        entries[clean] = entry
        var parent = clean
        while let slash = parent.lastIndex(of: "/") {
            parent = String(parent[..<slash])
            if entries[parent] == nil { entries[parent] = Entry(kind: .directory) }
        }
    }

    /// The entry at `path` (leading `/` and `./` ignored); the root itself is a directory.
    public func entry(at path: String) -> Entry? {
        let clean = RevisionTree.normalize(path)
        if clean.isEmpty { return Entry(kind: .directory) }
        return entries[clean]
    }

    public func contains(_ path: String) -> Bool { entry(at: path) != nil }

    /// `a//b/./c/` → `a/b/c`; leading slashes dropped. `..` is kept for callers to reject.
    public static func normalize(_ path: String) -> String {
        // Most member paths are already normal: no empty or `.` component (a byte scan; String's
        // `contains` of a string goes through Foundation and cost more than the split).
        if isNormal(path.utf8) { return path }
        return path.split(separator: "/", omittingEmptySubsequences: true)
            .filter { $0 != "." }
            .joined(separator: "/")
    }
}

extension RevisionTree {
    /// No empty component (a leading, trailing or doubled `/`) and no `.` component.
    static func isNormal(_ bytes: String.UTF8View) -> Bool {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var componentLength = 0
        var componentIsDot = false
        for byte in bytes {
            if byte == slash {
                if componentLength == 0 || componentIsDot { return false }
                componentLength = 0
                componentIsDot = false
            } else {
                componentIsDot = componentLength == 0 && byte == dot
                if componentLength > 0 { componentIsDot = false }
                componentLength += 1
            }
        }
        return componentLength > 0 && !componentIsDot
    }

    /// The tree of a bundle's members: paths under `prefix` (a stripped wrapper directory), relative to it.
    public init(files: [BundleManifest.File], under prefix: String = "") {
        self.init()
        for file in files where file.path.hasPrefix(prefix) && file.path.count > prefix.count {
            let kind: Kind = file.type == .directory ? .directory : file.type == .symlink ? .symlink : .file
            insert(
                String(file.path.dropFirst(prefix.count)),
                Entry(
                    kind: kind, executable: (UInt32(file.mode, radix: 8) ?? 0) & 0o111 != 0, size: file.size,
                    target: file.type == .symlink ? file.target ?? "" : nil))
        }
    }

    /// Resolves paths through the tree's symlinks; nil when a symlink's target is unknown.
    public var linkResolver: LinkResolver? {
        var nodes: [String: LinkResolver.Node] = [:]
        for (path, entry) in entries {
            switch entry.kind {
            case .file: nodes[path] = .file
            case .directory: nodes[path] = .directory
            case .submodule: nodes[path] = .other
            case .symlink:
                guard let target = entry.target else { return nil }
                nodes[path] = .symlink(target: target)
            }
        }
        return LinkResolver(nodes: nodes)
    }
}
