import TarmacCore

/// What Install may leave alone (issue 13): a file of the previous install whose content,
/// mode, owner and ACL already are what this install would give it, and the previous
/// install's directories on the way to it. Such a file is neither removed nor rewritten nor
/// re-chmodded; a changed file in a kept directory is replaced in place (renamed over the
/// old one, never removed first); dropped files are removed as before. The cleanup record is
/// the one a full install would write.
///
/// Nothing is kept on trust. A file is kept only when the host reports it as a regular file
/// with one link, owned by the user and group Install runs as, without an ACL, with this
/// revision's size, final mode and SHA-256, below directories of the previous install that
/// are owned by them, mode 0755 and ACL-free (what `mkdir` gives; a permission entry's own
/// changes are applied again). Install compares every kept path's `stat` with the probe's,
/// change time included, before it removes anything, and fails without changing anything
/// when one differs.
enum InstallPlannerKeep {
    /// The previous install's copy destinations whose content the host must hash before the
    /// plan can keep them: those that pass every other check.
    static func pathsToVerify(_ plan: InstallPlan, entries: [String: BundleManifest.File], facts: HostFacts)
        -> [String]
    {
        var context = Context(plan: plan, entries: entries, facts: facts)
        return plan.steps.indices.compactMap { context.candidate($0, needDigest: false) }
    }

    /// A revision's files by normalised path (the copy steps' sources).
    static func entries(_ files: [BundleManifest.File]) -> [String: BundleManifest.File] {
        Dictionary(files.map { (RevisionTree.normalize($0.path), $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// `plan` with the unchanged files and their directories kept.
    static func apply(_ plan: InstallPlan, entries: [String: BundleManifest.File], facts: HostFacts) -> InstallPlan {
        var context = Context(plan: plan, entries: entries, facts: facts)
        var plan = plan
        var keptFiles: Set<String> = []
        var keptDirectories: Set<String> = []
        for index in plan.steps.indices {
            guard let path = context.candidate(index, needDigest: true), let stat = facts.stats[path] else { continue }
            plan.steps[index] = .keepFile(destination: path, stat: stat.line)
            keptFiles.insert(path)
            keptDirectories.formUnion(context.madeAncestors(path))
        }
        guard !keptFiles.isEmpty else { return plan }
        var replaced: Set<String> = []
        for (index, step) in plan.steps.enumerated() {
            switch step {
            case .makeDirectory(let path) where keptDirectories.contains(path):
                plan.steps[index] = .keepDirectory(path: path, stat: facts.stats[path]?.line ?? "")
            case .copyFile(let source, let path, let mode, .missing) where context.replaceable(path, keptDirectories):
                plan.steps[index] = .copyFile(
                    source: source, destination: path, mode: mode, replaces: facts.paths[path]!)
                replaced.insert(path)
            case .symlink(let target, let path, .missing) where context.replaceable(path, keptDirectories):
                plan.steps[index] = .symlink(target: target, destination: path, replaces: facts.paths[path]!)
                replaced.insert(path)
            default: break
            }
        }
        let untouched = keptFiles.union(keptDirectories).union(replaced)
        plan.removals.removeAll { untouched.contains($0) }
        plan.permissions.removeAll { keptFiles.contains($0.path) }
        return plan
    }

    struct Context {
        let plan: InstallPlan
        let facts: HostFacts
        let previous: Set<String>
        let made: Set<String>
        let entries: [String: BundleManifest.File]
        var finalModes: [String: UInt32] = [:]
        var owned: Set<String> = []
        var grouped: Set<String> = []
        var withACL: Set<String> = []
        var labelled: Set<String> = []
        var directoryVerdicts: [String: Bool] = [:]
        /// `made(from:)` by directory.
        var madeFrom: [String: [String]] = [:]

        init(plan: InstallPlan, entries: [String: BundleManifest.File], facts: HostFacts) {
            self.plan = plan
            self.facts = facts
            previous = Set(plan.removals)
            var made: Set<String> = []
            for case .makeDirectory(let path) in plan.steps { made.insert(path) }
            self.made = made
            self.entries = entries
            for change in plan.permissions {
                if let mode = change.mode { finalModes[change.path] = mode }
                if change.owner != nil { owned.insert(change.path) }
                if change.group != nil { grouped.insert(change.path) }
                if change.acl != nil { withACL.insert(change.path) }
                if change.selinuxType != nil { labelled.insert(change.path) }
            }
        }

        /// The destination of step `index` when it is a copy the plan may keep.
        mutating func candidate(_ index: Int, needDigest: Bool) -> String? {
            guard case .copyFile(let source, let path, let mode, .missing) = plan.steps[index],
                previous.contains(path), facts.paths[path] == .file, let uid = facts.runnerUID,
                let gid = facts.runnerGID, let stat = facts.stats[path], let entry = entries[source],
                stat.isRegularFile, stat.links == 1, stat.uid == uid, stat.gid == gid, !stat.hasACL,
                stat.size == entry.size, stat.mode == (finalModes[path] ?? mode) & 0o7777,
                !owned.contains(path), !grouped.contains(path), !withACL.contains(path), !labelled.contains(path),
                madeAncestors(path).allSatisfy({ directoryKeepable($0) })
            else { return nil }
            if needDigest {
                guard let digest = facts.digests[path], let expected = entry.sha256,
                    InstallStatRecord.lowercaseHex(digest) == InstallStatRecord.lowercaseHex(expected)
                else { return nil }
            }
            return path
        }

        /// The directories above `path` that the plan makes, nearest first.
        mutating func madeAncestors(_ path: String) -> [String] {
            made(from: InstallPlannerPaths.parent(path))
        }

        /// `directory` and the directories above it that the plan makes, nearest first; worked
        /// out once per directory (a tree's files share a few hundred of them).
        private mutating func made(from directory: String) -> [String] {
            guard directory != "/" && !directory.isEmpty else { return [] }
            if let known = madeFrom[directory] { return known }
            let above = made(from: InstallPlannerPaths.parent(directory))
            let chain = made.contains(directory) ? [directory] + above : above
            madeFrom[directory] = chain
            return chain
        }

        /// A directory of the previous install that is what `mkdir` would make again, but for
        /// what this install's permission entries set on it anyway.
        mutating func directoryKeepable(_ path: String) -> Bool {
            if let verdict = directoryVerdicts[path] { return verdict }
            var verdict = false
            if previous.contains(path), facts.paths[path] == .directory, let stat = facts.stats[path],
                stat.isDirectory, let uid = facts.runnerUID, let gid = facts.runnerGID
            {
                verdict =
                    (finalModes[path] != nil || stat.mode == PermissionPlanner.directoryMode)
                    && (owned.contains(path) || stat.uid == uid) && (grouped.contains(path) || stat.gid == gid)
                    && (withACL.contains(path) || !stat.hasACL)
            }
            directoryVerdicts[path] = verdict
            return verdict
        }

        /// A path of the previous install in a kept directory that is a file or link on the
        /// host: the new one is renamed over it instead of it being removed first.
        func replaceable(_ path: String, _ kept: Set<String>) -> Bool {
            previous.contains(path) && kept.contains(InstallPlannerPaths.parent(path))
                && (facts.paths[path] == .file || facts.paths[path] == .symlink)
        }
    }
}
