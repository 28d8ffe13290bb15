import TarmacCore

/// The install planner: a pure function from the AppSpec, the revision's file list, what the
/// host reported and the deployment's options to an `InstallPlan` (spec §4, §5).
///
/// The plan is made against the host as it is *before* the previous install's paths are
/// removed, treating those paths as already gone, so a deployment that cannot succeed stops
/// before anything on the host changes (spec §10 P2).
public enum InstallPlanner {
    /// What the host must report before `plan` can run: every install target with all its
    /// ancestors (below `/`), and every user and group the permissions name.
    public static func probeRequest(spec: AppSpec, files: [BundleManifest.File]) -> ProbeRequest {
        let revision = InstallPlannerRevision(files: files)
        var paths: [String] = []
        for mapping in spec.files {
            guard case .installs(let destination, let items) = revision.resolve(mapping) else { continue }
            paths += InstallPlannerPaths.chain(destination)
            paths += items.map(\.path)
        }
        return ProbeRequest(
            paths: paths, users: spec.permissions.compactMap(\.owner), groups: spec.permissions.compactMap(\.group))
    }

    /// The whole plan, or every problem at once, each naming the path it concerns.
    ///
    /// `files` are relative to the revision root, the manifest's reserved `.tarmac/` members
    /// left out. Steps follow AppSpec order (a directory source walked depth-first, names in
    /// byte order); permission changes follow the permission entries' order.
    public static func plan(
        spec: AppSpec, files: [BundleManifest.File], facts: HostFacts, options: InstallOptions
    ) -> Result<InstallPlan, InstallPlanFailure> {
        let revision = InstallPlannerRevision(files: files)
        var copies = InstallPlannerCopies(spec: spec, facts: facts, options: options)
        for (index, mapping) in spec.files.enumerated() {
            copies.install(index, revision.resolve(mapping))
        }
        var permissions = PermissionPlanner(spec: spec, facts: facts)
        permissions.plan(installed(copies))
        let problems = copies.problems + permissions.problems
        guard problems.isEmpty else { return .failure(InstallPlanFailure(problems: problems)) }
        let previous = facts.cleanup ?? CleanupRecord()
        let full = InstallPlan(
            removals: previous.paths.reversed(), selinuxRemovals: previous.selinuxLabels.reversed(),
            steps: copies.steps, permissions: permissions.changes,
            nextCleanup: CleanupRecord(paths: copies.created, selinuxLabels: permissions.labelled))
        return .success(InstallPlannerKeep.apply(full, files: files, facts: facts))
    }

    /// The existing files whose SHA-256 the host must report (`DigestProgram`) before `plan`
    /// can leave them alone: the previous install's files that pass every other check of
    /// `InstallPlannerKeep`. Empty on a first install.
    public static func pathsToVerify(
        spec: AppSpec, files: [BundleManifest.File], facts: HostFacts, options: InstallOptions
    ) -> [String] {
        var unverified = facts
        unverified.digests = [:]
        guard case .success(let plan) = plan(spec: spec, files: files, facts: unverified, options: options) else {
            return []
        }
        return InstallPlannerKeep.pathsToVerify(plan, files: files, facts: facts)
    }

    /// What the copy plan leaves for the permissions to work on.
    private static func installed(_ copies: InstallPlannerCopies) -> PermissionPlanner.Installed {
        var installed = PermissionPlanner.Installed()
        installed.files = copies.copiedFiles
        installed.directories = ["/"]
        for (path, planned) in copies.planned {
            switch planned {
            case .createdDirectory, .existingDirectory: installed.directories.insert(path)
            case .file: break
            }
        }
        installed.createdDirectories = copies.steps.compactMap {
            if case .makeDirectory(let path) = $0 { return path } else { return nil }
        }
        return installed
    }
}
