/// What no host can unpack, or must not, judged over a bundle's whole member list once every
/// member is known. One check for `bundle`, `inspect` and `apply`, so `inspect` refuses
/// exactly what `apply` would. Pure.
///
/// `EntrySafety` judges members one by one as they stream past (absolute paths, `..`, device
/// files, links whose own target leaves); these rules need the whole list: the same path twice,
/// a file where a directory is needed, names over the host's limits, and symlink chains
/// resolved through the bundle's own links.
public enum MemberRules {
    /// NAME_MAX of Linux file systems: bytes in one path component.
    public static let nameMax = 255
    /// PATH_MAX of Linux (4096) less the terminating NUL: bytes in a path or a link target.
    public static let pathMax = 4095

    /// Every problem, in member order; `files` are relative to the revision root. Links in
    /// `judged` were already refused one by one and are not reported again.
    public static func problems(_ files: [BundleManifest.File], judged: Set<String> = []) -> [String] {
        var problems = duplicatesAndNesting(files)
        for file in files {
            problems += limits(file)
        }
        problems += linkProblems(LinkResolver(files: files), judged: judged)
        return problems
    }

    /// The same path twice, and a member below another that is not a directory.
    static func duplicatesAndNesting(_ files: [BundleManifest.File]) -> [String] {
        var problems: [String] = []
        var types: [String: BundleManifest.FileType] = [:]
        var reported = Set<String>()
        for file in files {
            let path = RevisionTree.normalize(file.path)
            if let earlier = types[path] {
                // The same directory twice does no harm: tar makes it once.
                if earlier == .directory && file.type == .directory { continue }
                if reported.insert(path).inserted {
                    problems.append("\(Quote.text(path)) appears more than once in the bundle")
                }
            } else {
                types[path] = file.type
            }
        }
        for file in files {
            let path = RevisionTree.normalize(file.path)
            var parent = path
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                guard let type = types[parent], type != .directory else { continue }
                let what = type == .symlink ? "a symlink" : "a file"
                problems.append(
                    "\(Quote.text(path)) is inside \(Quote.text(parent)), which is \(what) in the bundle; "
                        + "no host can unpack both")
                break
            }
        }
        return problems
    }

    /// Names longer than a Linux host accepts.
    static func limits(_ file: BundleManifest.File) -> [String] {
        var problems: [String] = []
        let path = RevisionTree.normalize(file.path)
        if path.utf8.count > pathMax {
            problems.append(
                "the path \(Quote.text(String(path.prefix(60))))… is \(path.utf8.count) bytes; hosts allow at most \(pathMax)"
            )
        }
        for part in path.split(separator: "/") where part.utf8.count > nameMax {
            problems.append(
                "\(Quote.text(String(path.prefix(60))))…: the name \(Quote.text(String(part.prefix(40))))… is "
                    + "\(part.utf8.count) bytes; hosts allow at most \(nameMax) in one name")
        }
        if let target = file.target, file.type == .symlink, target.utf8.count > pathMax {
            problems.append(
                "symlink \(Quote.text(path)): its target is \(target.utf8.count) bytes; hosts allow at most \(pathMax)")
        }
        return problems
    }

    /// Symlinks that leave the bundle through a chain of its own links, loop, or go too deep.
    public static func linkProblems(_ resolver: LinkResolver, judged: Set<String> = []) -> [String] {
        resolver.links.filter { !judged.contains($0) }.compactMap { link in
            switch resolver.resolve(link) {
            case .inside: return nil
            case .escapes(let hops):
                return "symlink \(Quote.text(link)) escapes the bundle: \(chain(hops)) leads out of it"
            case .unresolvable(let hops):
                return "symlink \(Quote.text(link)) cannot be resolved: \(loopText(hops))"
            }
        }
    }

    /// Symlinks a `files` mapping of `source` installs that resolve outside what it installs:
    /// below a directory source, any link leaving it; a source that is itself a link, one
    /// leaving its own directory. At the destination they would point at whatever the host
    /// has there.
    public static func mappingLinkProblems(source: String, _ resolver: LinkResolver) -> [String] {
        let clean = RevisionTree.normalize(source)
        guard !clean.isEmpty else { return [] }
        let root: String
        let links: [String]
        switch resolver.node(at: clean) {
        case .directory:
            root = clean
            links = resolver.subtree(root).links
        case .symlink:
            root = clean.lastIndex(of: "/").map { String(clean[..<$0]) } ?? ""
            links = [PathRules.lastComponent(clean)]
        default:
            return []
        }
        let inner = resolver.subtree(root)
        let prefix = root.isEmpty ? "" : root + "/"
        return links.compactMap { link in
            guard case .escapes(let hops) = inner.resolve(link) else { return nil }
            // One that leaves the whole bundle is reported as such already.
            if case .escapes = resolver.resolve(prefix + link) { return nil }
            let shown = hops.map { LinkResolver.Hop(link: prefix + $0.link, target: $0.target) }
            return "symlink \(Quote.text(prefix + link)) leaves \(Quote.text(root.isEmpty ? "/" : root)), which the "
                + "files mapping installs on its own: \(chain(shown)) would resolve outside the destination on the host"
        }
    }

    /// Why a hook script's `location` is not a regular file inside the revision, or nil when it is.
    public static func hookLocationProblem(_ location: String, _ resolver: LinkResolver) -> String? {
        switch resolver.resolve(location) {
        case .escapes(let hops):
            return hops.isEmpty
                ? "leads out of the revision"
                : "leads out of the revision through its symlinks: \(chain(hops))"
        case .unresolvable(let hops):
            return "cannot be resolved: \(loopText(hops))"
        case .inside(let path, let node, let hops):
            let via = hops.isEmpty ? "" : " (through \(chain(hops)))"
            switch node {
            case .file: return nil
            case .directory:
                return "is a directory\(via); location must name the script file"
            case nil:
                return "does not exist in the revision\(via)"
            case .symlink, .other:
                return "resolves to \(Quote.text(path)), which is not a regular file\(via)"
            }
        }
    }

    static func chain(_ hops: [LinkResolver.Hop]) -> String {
        hops.prefix(6).map(\.description).joined(separator: ", then ") + (hops.count > 6 ? ", …" : "")
    }

    static func loopText(_ hops: [LinkResolver.Hop]) -> String {
        if let last = hops.last, last.target.isEmpty { return "\(Quote.text(last.link)) has an empty target" }
        return "more than \(LinkResolver.maxHops) links deep (a loop: \(chain(hops)))"
    }
}
