import ArgumentParser
import Foundation
import TarmacCore

/// `tarmac hook`: the Git post-commit hook that starts the pipeline on every commit.
struct HookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Install or remove the Git post-commit hook that runs the pipeline on every commit.",
        discussion: """
            The hook runs `tarmac run --background` for each new commit: the pipeline of tarmac.yml \
            starts in the background and the commit never waits for it or fails because of it.

            Examples:
              tarmac hook install
              tarmac hook uninstall
            """,
        subcommands: [HookInstallCommand.self, HookUninstallCommand.self])
}

/// `tarmac hook install`.
struct HookInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write the post-commit hook that starts the pipeline for every new commit.",
        discussion: """
            The hook goes where Git looks for it: .git/hooks/post-commit, or the directory \
            core.hooksPath names. After each commit it runs `tarmac run --background --trigger \
            post-commit --rev <commit>`, which returns at once; if the pipeline cannot start, the \
            hook prints one line and the commit stands. It calls this tarmac binary by its full path \
            (tarmac on PATH when that file is gone), so install again after moving tarmac.

            A post-commit hook that is already there is kept: it is renamed post-commit.tarmac-chained \
            and runs first, and the hook exits with its status. Installing again only rewrites \
            tarmac's own hook. When both a hook that is not tarmac's and a post-commit.tarmac-chained \
            exist, nothing is changed (exit 2).

            Examples:
              tarmac hook install
              git -c core.hooksPath=/dev/null commit -m wip   one commit without any hook
              tarmac hook uninstall                           remove it, put your own hook back
            """)

    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let slot = try await HookSlot.locate(project.repository)
        let occupant = slot.occupant()
        switch HookSlot.install(occupant, chainedExists: slot.chainedExists) {
        case .refuse:
            Console.say(
                "error: \(slot.display) is not tarmac's hook, and \(slot.chainedName) exists next to it; "
                    + "nothing was changed. Merge the two into \(slot.chainedName) or move one away, then run "
                    + "`tarmac hook install` again")
            throw ExitCode(Exit.invalidInput)
        case .write(let chain):
            try Self.write(slot, chain: chain, tarmac: Self.executablePath())
            if chain {
                Console.say("kept your existing post-commit hook: it now runs first, from \(slot.chainedName)")
            } else if occupant == .none && slot.chainedExists {
                Console.say("\(slot.chainedName) is there from an earlier install: it runs first")
            }
            Console.say(
                "installed the post-commit hook: \(slot.display) (it runs tarmac run --background for every commit)")
        }
        Self.warnAboutPipeline(project)
        Console.say("remove it with `tarmac hook uninstall`")
    }

    /// Chains the foreign hook when asked, then writes tarmac's; a failed write puts the foreign one back.
    static func write(_ slot: HookSlot, chain: Bool, tarmac: String) throws {
        do {
            if chain { try slot.chainExisting() }
            do {
                try slot.write(PostCommitHook.render(tarmac: tarmac).description)
            } catch {
                if chain { try? slot.restoreChained() }
                throw error
            }
        } catch {
            Console.say("error: cannot install the post-commit hook at \(slot.display): \(error)")
            throw ExitCode(Exit.failed)
        }
    }

    /// A hook without a pipeline to run is allowed (it may be added later), but worth saying.
    static func warnAboutPipeline(_ project: ProjectContext) {
        if project.configFile == nil {
            Console.say("warning: there is no tarmac.yml yet; the hook starts nothing until it has a pipeline section")
        } else if project.diagnostics.hasErrors {
            Console.say("warning: tarmac.yml has errors (see `tarmac validate`); runs fail until they are fixed")
        } else if project.config?.pipeline == nil {
            Console.say("warning: tarmac.yml has no pipeline section; the hook starts nothing until it has one")
        }
    }

    /// The running binary, symlinks resolved, so the hook calls this tarmac whatever PATH says.
    static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath ?? "tarmac"
    }
}

/// `tarmac hook uninstall`.
struct HookUninstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove tarmac's post-commit hook and put back the hook it chained.",
        discussion: """
            The hook is removed only when it is tarmac's (it carries the line \
            "\(PostCommitHook.marker)"); a post-commit hook that is not is left in place (exit 2). \
            A hook that install kept as post-commit.tarmac-chained is renamed back to post-commit, \
            unchanged. No hook at all is not an error.

            Example:
              tarmac hook uninstall
            """)

    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let slot = try await HookSlot.locate(project.repository)
        switch HookSlot.uninstall(slot.occupant(), chainedExists: slot.chainedExists) {
        case .nothing:
            Console.say("no post-commit hook at \(slot.display); nothing to remove")
        case .refuse:
            Console.say("error: \(slot.display) is not tarmac's hook; left in place")
            throw ExitCode(Exit.invalidInput)
        case .remove(let hook, let restore):
            do {
                if hook { try slot.removeHook() }
                if restore { try slot.restoreChained() }
            } catch {
                Console.say("error: cannot uninstall the post-commit hook at \(slot.display): \(error)")
                throw ExitCode(Exit.failed)
            }
            if hook { Console.say("removed tarmac's post-commit hook: \(slot.display)") }
            if restore { Console.say("put back your post-commit hook from \(slot.chainedName)") }
        }
    }
}
