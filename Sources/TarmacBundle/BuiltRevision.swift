/// The output of a build, recorded as a commit on top of the commit the build ran on.
///
/// The bundle holds `treeCommit`'s files but names `sourceCommit`: its manifest `commit` is the
/// source and its revision id is `<sourceCommit>-build-<first 12 of treeID>`.
public struct BuiltRevision: Sendable, Equatable {
    /// The commit that records the build output (see `GitRepository.snapshotDirectory`).
    public var treeCommit: String
    /// The commit the build ran on.
    public var sourceCommit: String
    /// The tree of `treeCommit`.
    public var treeID: String

    /// Describes a build output recorded as `treeCommit` (tree `treeID`) from `sourceCommit`.
    public init(treeCommit: String, sourceCommit: String, treeID: String) {
        self.treeCommit = treeCommit
        self.sourceCommit = sourceCommit
        self.treeID = treeID
    }

    /// `<sourceCommit>-build-<first 12 of treeID>`: the same output of the same commit, the same id.
    public var revisionID: String { "\(sourceCommit)-build-\(treeID.prefix(12))" }
}
