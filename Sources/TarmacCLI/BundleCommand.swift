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
              tarmac bundle --base v1.3.0 -o /media/usb/docs-site-delta.tar.zst   # what changed since v1.3.0
              tarmac bundle --sign ~/.ssh/release_ed25519   # writes <bundle>.sig (SSHSIG, namespace tarmac)
              tarmac bundle --sign ~/.ssh/release_ed25519 --expires 30d
                  # writes <bundle>.statement and <bundle>.statement.sig instead: hosts refuse it after 30 days

            Signed bundles and rollback: hosts that `tarmac apply --trust-key` remember the \
            highest sequence they accepted per application and group, and refuse an older one. \
            The sequence is the commit's committer time, already in the bundle's manifest \
            (commit_time), so the same commit still gives the same bytes.

            --base REV writes a delta bundle instead: only the files that changed since REV, \
            plus the full manifest, for a host that has REV installed (`tarmac apply` checks \
            that, `tarmac inspect` says what it needs). The full bundle is kept in \
            .tarmac/artifacts; the delta goes to -o, or beside it as <revision>.delta-from-<base>.<format>.

            --expires keeps the bundle's bytes as they are: the expiry and the signing time go \
            into a small signed statement beside the bundle, which names the bundle's SHA-256. \
            Check it by hand with \
            `ssh-keygen -Y verify -f allowed_signers -I ID -n tarmac -s B.statement.sig < B.statement`.
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
        help: ArgumentHelp(
            "Write a delta bundle from this revision (a branch, tag or commit a host has installed).",
            valueName: "rev"))
    var base: String?

    @Option(
        help: ArgumentHelp("Sign with this OpenSSH ed25519 private key; writes <bundle>.sig.", valueName: "keyfile"))
    var sign: String?

    @Option(
        help: ArgumentHelp(
            "With --sign: hosts refuse the bundle after this long (30d, 12h, 90m, 2w); the signature becomes a signed statement beside the bundle.",
            valueName: "period"))
    var expires: String?

    func validate() throws {
        if let expires {
            guard sign != nil else { throw ValidationError("--expires needs --sign: only a signer can set an expiry") }
            guard ValidityPeriod.seconds(expires) != nil else {
                throw ValidationError(
                    "--expires '\(expires)' is not a period; use a whole number with m, h, d or w, such as 30d")
            }
        }
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
        options.validity = expires.flatMap(ValidityPeriod.seconds)
        let builder = BundleBuilder(
            repository: project.repository, application: project.application, bundle: project.bundle)
        let cache = ManifestCache(repository: project.repository.root)
        if let base {
            let outcome = try await Self.run { try await builder.buildDelta(options, base: base) }
            Self.store([outcome.full.manifest, outcome.baseManifest], in: cache)
            BundleText.warnings(outcome.full, hint: "commit them, or use --worktree")
            BundleText.delta(outcome)
            Console.result(outcome.delta.path)
            return
        }
        let outcome = try await Self.build(builder, options)
        Self.store([outcome.manifest], in: cache)
        report(outcome)
        Console.result(outcome.path)
    }

    /// Keeps the manifests in the repository's cache (a later delta names its base by them);
    /// a cache that cannot be written is worth a warning, not a failed bundle.
    static func store(_ manifests: [BundleManifest], in cache: ManifestCache) {
        for manifest in manifests {
            do {
                try cache.store(manifest)
            } catch {
                Console.say("warning: the manifest was not kept in \(cache.directory): \(error)")
            }
        }
    }

    /// Builds, or prints why not and exits 2 (invalid revision) or 1.
    static func build(_ builder: BundleBuilder, _ options: BundleOptions) async throws -> BundleOutcome {
        try await run { try await builder.build(options) }
    }

    /// Runs a build, or prints why not and exits 2 (invalid revision or input) or 1.
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
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
        if let sig = outcome.signaturePath {
            Console.say(
                "signature \(sig)\(sig.hasSuffix(BundleStatement.suffix) ? " (+ .sig), expires \(expiry(sig))" : "")")
        }
    }
}

extension BundleCommand {
    /// The expiry written into a statement, for the summary line.
    fileprivate func expiry(_ statementPath: String) -> String {
        let text = (try? String(contentsOfFile: statementPath, encoding: .utf8)) ?? ""
        return (try? BundleStatement.parse(text, source: statementPath)).map { BundleStatement.format($0.expires) }
            ?? "?"
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
