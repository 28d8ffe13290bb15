import TarmacCore

/// Plans the copy/mkdir/link part of Install against the host facts (spec §4.2–§4.7), as if
/// the previous install's paths were already removed, and collects every problem.
struct InstallPlannerCopies {
    /// What the plan has decided about a host path so far.
    enum Planned: Equatable {
        /// A directory this install makes (index of the mapping that first needed it).
        case createdDirectory(mapping: Int)
        /// A directory (or a link the AppSpec installs through) already on the host.
        case existingDirectory
        /// A file or symlink a mapping installs or, with RETAIN, keeps.
        case file(source: String, mapping: Int, retained: Bool)
    }

    let spec: AppSpec
    let facts: HostFacts
    let behavior: FileExistsBehavior
    let archiveRoot: String
    /// Paths of the previous install, which are gone by the time anything is created.
    let removed: Set<String>

    private(set) var planned: [String: Planned] = [:]
    private(set) var steps: [InstallPlan.Step] = []
    /// Made directories, copies and links in creation order: the next cleanup record.
    private(set) var created: [String] = []
    /// Copied regular files (not links, not retained files) in order, with their modes.
    private(set) var copiedFiles: [(path: String, mode: UInt32)] = []
    private(set) var problems: [PlanProblem] = []

    init(spec: AppSpec, facts: HostFacts, options: InstallOptions) {
        self.spec = spec
        self.facts = facts
        self.behavior = spec.fileExistsBehavior ?? options.fileExistsBehavior
        self.archiveRoot = options.archiveRoot
        self.removed = Set(facts.cleanup?.paths ?? [])
    }

    /// Plans one `files` mapping; a failed directory blocks everything beneath it.
    mutating func install(_ index: Int, _ resolution: InstallPlannerRevision.Resolution) {
        let mapping = spec.files[index]
        guard case .installs(let destination, let items) = resolution else {
            let path = InstallPlannerPaths.join(archiveRoot, mapping.sourcePath)
            report(
                path,
                "\(name(index)) names the source \(q(mapping.source)), which does not exist in the revision "
                    + "(unpacked at \(q(archiveRoot))); correct the source or add it to the revision")
            return
        }
        for path in InstallPlannerPaths.chain(destination) {
            guard ensureDirectory(path, index, followLinks: true) else { return }
        }
        var blocked: Set<String> = []
        for item in items {
            guard !blocked.contains(InstallPlannerPaths.parent(item.path)) else {
                blocked.insert(item.path)
                continue
            }
            switch item {
            case .directory(let path):
                if !ensureDirectory(path, index, followLinks: false) { blocked.insert(path) }
            case .file(let path, let entry):
                place(path, entry, index)
            }
        }
    }

    /// Makes sure a directory will be at `path`: planned already, on the host, or made now.
    /// `followLinks` accepts a host symlink as a directory (paths the AppSpec itself names).
    private mutating func ensureDirectory(_ path: String, _ index: Int, followLinks: Bool) -> Bool {
        switch planned[path] {
        case .createdDirectory, .existingDirectory: return true
        case .file(let source, let other, let retained):
            let what =
                retained
                ? "keeps the existing file there (file_exists_behavior RETAIN)"
                : "installs the file \(q(source)) at that path"
            report(
                path,
                "\(name(index)) needs a directory at \(q(path)), but \(name(other)) \(what); "
                    + "change one of the destinations")
            return false
        case nil: break
        }
        guard let kind = hostKind(path, index) else { return false }
        switch kind {
        case .missing:
            steps.append(.makeDirectory(path: path))
            created.append(path)
            planned[path] = .createdDirectory(mapping: index)
        case .directory:
            planned[path] = .existingDirectory
        case .symlink where followLinks:
            planned[path] = .existingDirectory
        case .file, .symlink, .other:
            report(
                path,
                "\(name(index)) needs a directory at \(q(path)), but this host has a \(kindName(kind)) there "
                    + "that this deployment group did not install; remove it from the host or change the destination")
            return false
        }
        return true
    }

    /// Plans a regular file or symlink at `target`, per the host and `file_exists_behavior`.
    private mutating func place(_ target: String, _ entry: BundleManifest.File, _ index: Int) {
        if let existing = planned[target] {
            reportTaken(target, existing, entry.path, index)
            return
        }
        guard let kind = hostKind(target, index) else { return }
        switch kind {
        case .missing:
            // A directory of the previous install is removed only if it empties; if it does not,
            // the renderer's `.directory` handling fails with a clear message.
            let survivor = removed.contains(target) && facts.kind(of: target) == .directory
            add(target, entry, index, replaces: survivor ? .directory : .missing)
        case .directory:
            report(
                target,
                "\(name(index)) installs the file \(q(entry.path)) at \(q(target)), but that is a directory "
                    + "on this host; remove the directory, or change the destination (it names the directory the file "
                    + "is copied into)")
        case .file, .symlink, .other:
            switch behavior {
            case .overwrite:
                add(target, entry, index, replaces: kind)
            case .retain:
                steps.append(.retain(destination: target))
                planned[target] = .file(source: entry.path, mapping: index, retained: true)
            case .disallow:
                report(
                    target,
                    "a \(kindName(kind)) already exists at \(q(target)) and was not installed by this "
                        + "deployment group, so \(name(index)) cannot install \(q(entry.path)) there; remove it from the "
                        + "host, or set file_exists_behavior to OVERWRITE (replace it) or RETAIN (keep it)")
            }
        }
    }

    /// Records the copy or link step, or reports a manifest entry that cannot be installed.
    private mutating func add(
        _ target: String, _ entry: BundleManifest.File, _ index: Int, replaces: HostFacts.PathKind
    ) {
        if entry.type == .symlink {
            guard let link = entry.target else {
                report(target, "the revision lists \(q(entry.path)) as a symlink without a target; rebuild the bundle")
                return
            }
            steps.append(.symlink(target: link, destination: target, replaces: replaces))
        } else {
            guard let mode = InstallPlannerPaths.mode(entry.mode) else {
                report(
                    target,
                    "the revision lists \(q(entry.path)) with mode \(q(entry.mode)), which is not octal; "
                        + "rebuild the bundle")
                return
            }
            steps.append(.copyFile(source: entry.path, destination: target, mode: mode, replaces: replaces))
            copiedFiles.append((target, mode))
        }
        created.append(target)
        planned[target] = .file(source: entry.path, mapping: index, retained: false)
    }

    /// A file target the plan already uses (spec §4.6).
    private mutating func reportTaken(_ target: String, _ existing: Planned, _ source: String, _ index: Int) {
        switch existing {
        case .createdDirectory(let other):
            report(
                target,
                "\(name(index)) installs the file \(q(source)) at \(q(target)), but \(name(other)) creates "
                    + "a directory at that path; change one of the destinations")
        case .existingDirectory:
            report(
                target,
                "\(name(index)) installs the file \(q(source)) at \(q(target)), but that is a directory "
                    + "on this host; remove the directory or change the destination")
        case .file(let other, let otherIndex, _):
            report(
                target,
                "\(name(otherIndex)) and \(name(index)) both install \(q(target)) (from \(q(other)) and "
                    + "\(q(source))); remove one mapping or make the destinations differ (overlapping mappings such as "
                    + "/ → /app and config → /app/config do this)")
        }
    }

    /// What is at `path` once the previous install's paths are removed; nil (reported) if unknown.
    private mutating func hostKind(_ path: String, _ index: Int) -> HostFacts.PathKind? {
        if removed.contains(path) { return .missing }
        if let kind = facts.kind(of: path) { return kind }
        report(
            path,
            "the host probe did not report on \(q(path)), so tarmac cannot tell whether \(name(index)) may "
                + "install there; run the deployment again")
        return nil
    }

    private mutating func report(_ path: String, _ message: String) {
        problems.append(PlanProblem(path: path, message: message))
    }

    /// `files[2] (appspec.yml:9:5)`.
    private func name(_ index: Int) -> String {
        "files[\(index)] (\(InstallPlannerPaths.place(spec.files[index].location)))"
    }

    private func kindName(_ kind: HostFacts.PathKind) -> String {
        switch kind {
        case .symlink: return "symlink"
        case .other: return "special file"
        case .directory: return "directory"
        case .file, .missing: return "file"
        }
    }

    private func q(_ value: String) -> String { InstallPlannerPaths.quoted(value) }
}
