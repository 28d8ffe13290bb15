import ArgumentParser
import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore

extension ArchiveFormat: ExpressibleByArgument {}

/// `tarmac bundle`: the reproducible bundle of one revision.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Build the reproducible bundle of a revision; print its path as the last line of stdout.",
        discussion: """
            The bundle holds exactly what the commit holds under `bundle.root` (untracked and \
            ignored files never enter; `export-ignore` is honoured), plus a manifest with every \
            file's SHA-256 as its last member. The same commit and format always give the same \
            bytes. The AppSpec is validated first: an invalid revision exits 2 and writes nothing.

            Default output: .tarmac/artifacts/<application>/<revision>.<format>

            Examples:
              tarmac bundle
              tarmac bundle --rev v1.4.0 --format tar.zst -o /media/usb/docs-site.tar.zst
              tarmac bundle --worktree                 # uncommitted changes too, as <commit>-dirty-<tree>
              tarmac bundle --sign ~/.ssh/release_ed25519   # writes <bundle>.sig (SSHSIG, namespace tarmac)
            """)

    @OptionGroup var repository: RepositoryOptions

    @Option(help: ArgumentHelp("The commit to bundle: a branch, tag or commit id.", valueName: "rev"))
    var rev: String?

    @Flag(help: "Bundle the working tree as it stands (tracked + untracked, not ignored); the index is not touched.")
    var worktree = false

    @Option(
        help: ArgumentHelp(
            "tar.gz (default), tar.zst, tar.xz, tar or zip; overrides bundle.format.", valueName: "format"))
    var format: ArchiveFormat?

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp("Where to write the bundle.", valueName: "path"))
    var output: String?

    @Option(
        help: ArgumentHelp("Sign with this OpenSSH ed25519 private key; writes <bundle>.sig.", valueName: "keyfile"))
    var sign: String?

    func validate() throws {
        if worktree && rev != nil {
            throw ValidationError("--worktree bundles the working tree; it cannot be combined with --rev")
        }
    }

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        try project.requireValidConfig()
        var options = BundleOptions()
        options.revision = rev ?? "HEAD"
        options.worktree = worktree
        options.format = format
        options.output = output.map(Console.absolute)
        options.signingKeyPath = sign.map(Console.absolute)
        let builder = BundleBuilder(
            repository: project.repository, application: project.application, bundle: project.bundle)
        let outcome = try await Self.build(builder, options)
        report(outcome)
        Console.result(outcome.path)
    }

    /// Builds, or prints why not and exits 2 (invalid revision) or 1.
    static func build(_ builder: BundleBuilder, _ options: BundleOptions) async throws -> BundleOutcome {
        do {
            return try await builder.build(options)
        } catch let error as BundleError {
            if case .invalidRevision(let findings) = error {
                Console.diagnostics(findings)
                Console.say("error: the revision is not valid; no bundle was written")
            } else {
                Console.say("error: \(error)")
            }
            throw ExitCode(error.isInvalidInput ? Exit.invalidInput : Exit.failed)
        }
    }

    private func report(_ outcome: BundleOutcome) {
        BundleText.warnings(outcome, hint: "commit them, or use --worktree")
        let manifest = outcome.manifest
        let files = manifest.files.filter { $0.type != .directory }.count
        Console.say(
            "bundled \(manifest.application) \(manifest.revision) (\(files) files, \(ByteCount.text(manifest.totalSize))) as \(manifest.format)"
        )
        Console.say("sha256 \(outcome.sha256)")
        if let sig = outcome.signaturePath { Console.say("signature \(sig)") }
    }
}

/// Human byte counts: 812 B, 14.2 KiB, 61.0 MiB.
enum ByteCount {
    static func text(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
