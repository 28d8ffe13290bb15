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
        probeRequest(spec: spec, mappings: InstallMappings(spec: spec, files: files))
    }

    /// The same from the mappings resolved once (`InstallMappings`) of `spec`.
    public static func probeRequest(spec: AppSpec, mappings: InstallMappings) -> ProbeRequest {
        var paths: [String] = []
        for resolution in mappings.resolutions {
            guard case .installs(let destination, let items) = resolution else { continue }
            paths += InstallPlannerPaths.chain(destination)
            paths += items.map(\.path)
        }
        let (users, groups) = principals(spec: spec)
        return ProbeRequest(paths: paths, users: users, groups: groups)
    }

    /// The users and groups the permissions name (what `probeRequest` asks about them), without
    /// walking the revision.
    public static func principals(spec: AppSpec) -> (users: [String], groups: [String]) {
        (spec.permissions.compactMap(\.owner), spec.permissions.compactMap(\.group))
    }

    /// The whole plan, or every problem at once, each naming the path it concerns.
    ///
    /// `files` are relative to the revision root, the manifest's reserved `.tarmac/` members
    /// left out. Steps follow AppSpec order (a directory source walked depth-first, names in
    /// byte order); permission changes follow the permission entries' order.
    public static func plan(
        spec: AppSpec, files: [BundleManifest.File], facts: HostFacts, options: InstallOptions
    ) -> Result<InstallPlan, InstallPlanFailure> {
        unkept(spec: spec, files: files, facts: facts, options: options).map {
            keep($0, files: files, facts: facts)
        }
    }

    /// The plan before anything is left alone (what `plan` gives a host without digests): a
    /// caller that asks the host for digests plans once, then keeps (`keep`).
    public static func unkept(
        spec: AppSpec, files: [BundleManifest.File], facts: HostFacts, options: InstallOptions
    ) -> Result<InstallPlan, InstallPlanFailure> {
        unkept(spec: spec, mappings: InstallMappings(spec: spec, files: files), facts: facts, options: options)
    }

    /// The same from the mappings resolved once (`InstallMappings`) of `spec`.
    public static func unkept(
        spec: AppSpec, mappings: InstallMappings, facts: HostFacts, options: InstallOptions
    ) -> Result<InstallPlan, InstallPlanFailure> {
        var copies = InstallPlannerCopies(spec: spec, facts: facts, options: options)
        for (index, resolution) in mappings.resolutions.enumerated() {
            copies.install(index, resolution)
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
        return .success(full)
    }

    /// `unkept` with the unchanged files and their directories kept (`InstallPlannerKeep`),
    /// as `facts.digests` show them.
    public static func keep(_ unkept: InstallPlan, files: [BundleManifest.File], facts: HostFacts) -> InstallPlan {
        InstallPlannerKeep.apply(unkept, entries: InstallPlannerKeep.entries(files), facts: facts)
    }

    /// The same with the revision's entries of `mappings`.
    public static func keep(_ unkept: InstallPlan, mappings: InstallMappings, facts: HostFacts) -> InstallPlan {
        InstallPlannerKeep.apply(unkept, entries: mappings.entries, facts: facts)
    }

    /// The existing files whose SHA-256 the host must report (`DigestProgram`) before `plan`
    /// can leave them alone: the previous install's files that pass every other check of
    /// `InstallPlannerKeep`. Empty on a first install.
    public static func pathsToVerify(
        spec: AppSpec, files: [BundleManifest.File], facts: HostFacts, options: InstallOptions
    ) -> [String] {
        guard case .success(let plan) = unkept(spec: spec, files: files, facts: facts, options: options) else {
            return []
        }
        return pathsToVerify(plan, files: files, facts: facts)
    }

    /// The same, of a plan `unkept` made.
    public static func pathsToVerify(_ unkept: InstallPlan, files: [BundleManifest.File], facts: HostFacts)
        -> [String]
    {
        InstallPlannerKeep.pathsToVerify(unkept, entries: InstallPlannerKeep.entries(files), facts: facts)
    }

    /// The same with the revision's entries of `mappings`.
    public static func pathsToVerify(_ unkept: InstallPlan, mappings: InstallMappings, facts: HostFacts) -> [String] {
        InstallPlannerKeep.pathsToVerify(unkept, entries: mappings.entries, facts: facts)
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
