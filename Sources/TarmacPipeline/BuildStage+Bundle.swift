import Foundation
import TarmacBundle
import TarmacCore
import TarmacGit

extension BuildStage {
    /// Bundles what a successful build left below `settings.root` in its export: the files are
    /// recorded as a commit on top of the source commit (the user's index, HEAD and working
    /// tree untouched), then built into a bundle whose manifest names the source commit and
    /// whose revision is `<commit>-build-<tree>`. The same output gives the same bundle.
    public func bundle(
        _ result: BuildResult, application: String, settings: BundleSettings,
        options: BundleOptions = BundleOptions()
    ) async throws -> BundleOutcome {
        if let failure = result.failure { throw BuildError.buildFailed(failure) }
        let root = RevisionTree.normalize(settings.root)
        let output = result.workspace.sourceDirectory
        guard Self.isDirectory(root.isEmpty ? output : output + "/" + root), !root.split(separator: "/").contains("..")
        else {
            throw BuildError.missingRoot(root: settings.root, commit: result.commit)
        }
        let recorded = try await repository.snapshotDirectory(
            output, root: root, parent: result.commit, message: "tarmac: build output")
        var options = options
        options.built = BuiltRevision(treeCommit: recorded.commit, sourceCommit: result.commit, treeID: recorded.tree)
        return try await BundleBuilder(repository: repository, application: application, bundle: settings)
            .build(options)
    }

    /// A directory itself, not a symlink to one (a link would leave the export).
    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
