import TarmacCore

/// Deployment-level settings the install planner takes besides the AppSpec and the facts.
public struct InstallOptions: Sendable, Equatable {
    /// The deployment's `file_exists_behavior` (`--file-exists-behavior` or the group's);
    /// the AppSpec's own value wins over it (spec §1.5).
    public var fileExistsBehavior: FileExistsBehavior
    /// Host path of the unpacked revision (`…/deployment-archive`), used only in messages.
    public var archiveRoot: String

    /// Options with CodeDeploy's default behaviour, DISALLOW.
    public init(fileExistsBehavior: FileExistsBehavior = .disallow, archiveRoot: String = "deployment-archive") {
        self.fileExistsBehavior = fileExistsBehavior
        self.archiveRoot = archiveRoot
    }
}
