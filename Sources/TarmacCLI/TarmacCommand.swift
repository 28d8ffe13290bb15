import ArgumentParser
import Foundation
import TarmacArchive
import TarmacCore

/// The `tarmac` root command: lists the subcommands and maps every outcome to the
/// contract's exit statuses (0 ok, 1 failed, 2 invalid input, 130 interrupted).
public struct TarmacCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tarmac",
        abstract: "Offline continuous delivery: Git revision → reproducible bundle → your servers.",
        discussion: """
            tarmac reads a revision from a local Git working tree, builds a compressed, \
            reproducible revision bundle with its appspec.yml, and deploys it.

            Typical first steps in a repository:
              tarmac validate                 check tarmac.yml and appspec.yml
              tarmac bundle                   bundle HEAD into .tarmac/artifacts/
              tarmac inspect BUNDLE           show and verify what a bundle holds
              tarmac hosts trust GROUP        record the SSH host keys of a group's hosts
              tarmac plan GROUP               what a deployment would change on each host
              tarmac deploy GROUP             deploy HEAD to the group over SSH
              tarmac run                      run the pipeline of tarmac.yml for HEAD
              tarmac hook install             run the pipeline on every commit
              tarmac history                  past deployments; then tarmac show ID, tarmac logs ID

            Exit status: 0 success, 1 the operation ran and failed, 2 invalid input \
            (nothing was changed), 130 interrupted.
            """,
        version: TarmacVersion.string,
        subcommands: [
            InitCommand.self, ValidateCommand.self, BundleCommand.self, InspectCommand.self, ApplyCommand.self,
            HostsCommand.self,
            PlanCommand.self, DeployCommand.self, RollbackCommand.self, RunCommand.self, ApproveCommand.self,
            RejectCommand.self, HistoryCommand.self, ShowCommand.self, LogsCommand.self, HookCommand.self,
            ReceiptsCommand.self, VerifyCommand.self,
        ])

    public init() {}

    /// Prepares the process (locale for libarchive, SIGPIPE), runs the command, exits.
    public static func entryPoint() async {
        ArchiveLibrary.prepareProcess()
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitFor(error)
        }
    }

    /// Usage errors are "invalid input" (2) in tarmac's contract, not EX_USAGE (64).
    static func exitFor(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        guard code != .success else { exit(withError: error) }
        // Errors may carry a host's or a hook's words: shown with control characters as text.
        let message = fullMessage(for: error)
        if !message.isEmpty { FileHandle.standardError.write(Data((VisibleText.escape(message) + "\n").utf8)) }
        Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
    }
}

/// The version printed by `tarmac --version`.
enum TarmacVersion {
    static let string = "0.1.0"
}
