/// Why a build stage could not run or its output could not be bundled (a failing command is
/// not one of these: it is a `BuildResult`).
public enum BuildError: Error, Sendable, CustomStringConvertible {
    /// The temporary directory could not be made or removed.
    case workspace(String)
    /// The commit could not be exported into the temporary directory.
    case export(commit: String, reason: String)
    /// A command could not be started at all.
    case launch(command: String, reason: String)
    /// `bundle.root` is not a directory of the build output.
    case missingRoot(root: String, commit: String)
    /// Bundling was asked of a build that failed.
    case buildFailed(BuildCommandResult)

    public var description: String {
        switch self {
        case .workspace(let message):
            return message
        case .export(let commit, let reason):
            return "cannot export \(commit.prefix(12)) for the build: \(reason)"
        case .launch(let command, let reason):
            return "cannot start the build command `\(command)`: \(reason)"
        case .missingRoot(let root, let commit):
            return "bundle.root `\(root)` is not a directory in the build output of \(commit.prefix(12)); "
                + "the build commands must create it (or set bundle.root to where they write)"
        case .buildFailed(let failure):
            return "the build failed: \(failure)"
        }
    }
}
