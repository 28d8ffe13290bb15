/// Resolves paths inside an unpacked bundle the way the host's kernel will: component by
/// component, following the bundle's own symlinks wherever they appear in a path, with
/// loop detection and a depth bound. Pure: it looks only at the member list.
///
/// Conservative where the host could differ from the bundle: a component the bundle does not
/// hold (or a file where a directory is needed) is taken as a plain directory and resolution
/// goes on, because the same name may exist where the files are installed.
public struct LinkResolver: Sendable {
    public enum Node: Sendable, Equatable {
        case file, directory, symlink(target: String), other
    }

    /// One link followed: the link's path in the bundle and its target as stored.
    public struct Hop: Sendable, Equatable, CustomStringConvertible {
        public var link: String
        public var target: String

        public init(link: String, target: String) {
            self.link = link
            self.target = target
        }

        public var description: String { "\(Quote.text(link)) → \(Quote.text(target))" }
    }

    public enum Outcome: Sendable, Equatable {
        /// Stays inside: `path` relative to the bundle root ("" for the root), with what the
        /// bundle holds there (nil when nothing), after following `hops`.
        case inside(path: String, node: Node?, hops: [Hop])
        /// Leaves the bundle (an absolute target, or `..` above the root) after these hops.
        case escapes(hops: [Hop])
        /// More than `maxHops` links were followed (a loop, or a chain deeper than any host
        /// follows), or a link with an empty target.
        case unresolvable(hops: [Hop])
    }

    /// Linux follows at most 40 links in one lookup (MAXSYMLINKS).
    public static let maxHops = 40

    private var nodes: [String: Node] = [:]

    /// `nodes` by path relative to the bundle root; parents of any path are directories.
    public init(nodes: [String: Node]) {
        for (path, node) in nodes {
            let clean = RevisionTree.normalize(path)
            guard !clean.isEmpty else { continue }
            self.nodes[clean] = node
        }
        // A parent already there has its own parents (a member is walked itself, an added
        // directory was added with all of its): the walk stops at the first one it finds.
        for path in Array(self.nodes.keys) {
            var parent = Substring(path)
            while let slash = parent.lastIndex(of: "/") {
                parent = parent[..<slash]
                let key = String(parent)
                if self.nodes[key] != nil { break }
                self.nodes[key] = .directory
            }
        }
    }

    /// The members of a bundle or manifest, paths relative to the bundle root.
    public init(files: [BundleManifest.File]) {
        var nodes: [String: Node] = [:]
        for file in files {
            switch file.type {
            case .file: nodes[file.path] = .file
            case .directory: nodes[file.path] = .directory
            case .symlink: nodes[file.path] = .symlink(target: file.target ?? "")
            }
        }
        self.init(nodes: nodes)
    }

    /// The part of the bundle below `directory`, as its own root: how links resolve once a
    /// `files` mapping has copied that directory alone to its destination.
    public func subtree(_ directory: String) -> LinkResolver {
        let prefix = RevisionTree.normalize(directory)
        guard !prefix.isEmpty else { return self }
        var inner: [String: Node] = [:]
        for (path, node) in nodes where path.hasPrefix(prefix + "/") {
            inner[String(path.dropFirst(prefix.count + 1))] = node
        }
        return LinkResolver(nodes: inner)
    }

    /// What the bundle holds at `path`, without following anything.
    public func node(at path: String) -> Node? {
        let clean = RevisionTree.normalize(path)
        return clean.isEmpty ? .directory : nodes[clean]
    }

    /// Every symlink of the bundle, sorted.
    public var links: [String] {
        nodes.compactMap { path, node in
            if case .symlink = node { return path }
            return nil
        }.sorted()
    }

    /// Resolves `path` (relative to the bundle root); with `followLast` false a final
    /// symlink is the answer itself, as with `lstat`.
    public func resolve(_ path: String, followLast: Bool = true) -> Outcome {
        if path.hasPrefix("/") { return .escapes(hops: []) }
        var pending = Array(components(path).reversed())
        var resolved: [String] = []
        var hops: [Hop] = []
        while let part = pending.popLast() {
            if part == ".." {
                if resolved.isEmpty { return .escapes(hops: hops) }
                resolved.removeLast()
                continue
            }
            let candidate = (resolved + [part]).joined(separator: "/")
            let isLast = pending.isEmpty
            guard case .symlink(let target) = nodes[candidate], followLast || !isLast else {
                resolved.append(part)
                continue
            }
            hops.append(Hop(link: candidate, target: target))
            if hops.count > Self.maxHops { return .unresolvable(hops: hops) }
            if target.isEmpty { return .unresolvable(hops: hops) }
            if target.hasPrefix("/") { return .escapes(hops: hops) }
            pending += components(target).reversed()
        }
        let final = resolved.joined(separator: "/")
        return .inside(path: final, node: final.isEmpty ? .directory : nodes[final], hops: hops)
    }

    private func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }
}
