import ArgumentParser
import Foundation

/// Options every repository-level command shares.
struct RepositoryOptions: ParsableArguments {
    @Option(
        name: .customShort("C"),
        help: ArgumentHelp("Run as if tarmac was started in <directory>.", valueName: "directory"))
    var directory: String?

    /// The directory to look for the repository in, absolute.
    var start: String {
        let cwd = FileManager.default.currentDirectoryPath
        guard let directory else { return cwd }
        return directory.hasPrefix("/") ? directory : cwd + "/" + directory
    }
}
