import ArgumentParser
import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHost

/// `tarmac verify`: drift between what was installed and what a host has now.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Compare the files a group's last install left on its hosts (or on this host) with what they have now.",
        discussion: """
            At the end of every deployment whose Install succeeded, the host records what it \
            installed: each file with the SHA-256 of the revision's manifest and the mode, owner, \
            size and mtime it had once the deployment ended (so the AppSpec's permissions \
            included), each link, each directory Install made, and the AppSpec's destinations \
            (<deployment-root>/deployment-instructions/<group-id>_installed, root's, checked like \
            every record). `tarmac verify` compares the host with that record and reports, per host:

              modified  content, mode, owner or type differ
              missing   an installed file or directory is gone
              extra     below a destination, but installed by no revision (listed separately:
                        an app may write there; extra files alone are not drift)

            Read-only, and one program per host: a file is hashed only when its size and mtime do \
            not settle it (same size, other mtime), unless --full.

            With GROUP, the group's hosts over SSH (tarmac.yml). Without, this host: name the \
            group with --deployment-group and --application when the deployment root holds several.

            Exit 0 no drift; 1 drift found, or a host could not be checked; 2 invalid input (an \
            unknown group, nothing recorded to compare, an unsafe deployment root).

            Examples:
              tarmac verify production
              tarmac verify production --json --full
              tarmac verify --deployment-group web --application docs-site     # on the host
            """)

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: ArgumentHelp("A deployment group of tarmac.yml, checked over SSH.", valueName: "group"))
    var group: String?

    @Option(name: .customLong("deployment-group"), help: "On this host: the deployment group to check.")
    var localGroup: String?

    @Option(help: "On this host: the application to check.")
    var application: String?

    @Option(
        name: .customLong("deployment-root"),
        help: ArgumentHelp("On this host: where tarmac keeps its records.", valueName: "dir"))
    var deploymentRoot = "/var/lib/tarmac"

    @Flag(help: "Hash every installed file, even those whose size and mtime are as installed.")
    var full = false

    @Flag(help: "Print the findings as JSON on stdout: a list of {host, status, modified, missing, extra}.")
    var json = false

    func validate() throws {
        if group != nil && (localGroup != nil || application != nil) {
            throw ValidationError(
                "--deployment-group and --application choose a group on this host; with GROUP, tarmac.yml names it")
        }
        guard deploymentRoot.hasPrefix("/") else { throw ValidationError("--deployment-root must be an absolute path") }
    }

    func run() async throws {
        let results: [VerifyText.HostOutcome]
        if let group {
            results = try await VerifyRemote.check(repository, group: group, full: full)
        } else {
            let layout = try VerifyLocal.layout(root: deploymentRoot, group: localGroup, application: application)
            results = [("localhost", await DriftCheck.run(LocalTransport(), layout: layout, full: full))]
        }
        VerifyText.report(results, json: json)
        let status = VerifyText.status(results)
        if status != 0 { throw ExitCode(status) }
    }
}
