import ArgumentParser
import TarmacBundle
import TarmacCore

/// `tarmac validate`: every problem in tarmac.yml and the working tree's appspec.yml at once.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check tarmac.yml and the working tree's appspec.yml; report every problem at once.",
        discussion: """
            Problems are printed as `path:line:col: error: message` (and `warning:`), all of them \
            in one run, in file order. The AppSpec is checked against the files of the working \
            tree (tracked and untracked-but-not-ignored): every `files` source and hook script \
            must exist. Exit 0 when there are no errors (warnings allowed), 2 otherwise.

            Examples:
              tarmac validate
              tarmac validate -C ~/src/docs-site
            """)

    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let reader = WorktreeReader(repository: project.repository, root: project.bundle.root)
        let (snapshot, findings) = try await reader.validate()
        let all = project.diagnostics + findings
        Console.diagnostics(all)
        let errors = all.filter { $0.severity == .error }.count
        let warnings = all.count - errors
        let checked = [project.configFile, snapshot.appspecDisplayPath].compactMap { $0 }.joined(separator: " and ")
        guard errors == 0 else {
            Console.say(
                "\(checked): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
            throw ExitCode(Exit.invalidInput)
        }
        Console.say("\(checked): valid" + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : ""))
    }
}
