import ArgumentParser
import Foundation
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHost
import TarmacSigning

extension FileExistsBehavior: ExpressibleByArgument {}

/// `tarmac apply`: install a bundle on this host, exactly as a deployment would.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Install a bundle on this host, running every lifecycle event like a deployment.",
        discussion: """
            The route for bundles carried to hosts with no network: the same plans and the same \
            shell programs an SSH deployment runs, executed here. The bundle is verified first \
            (manifest, hostile members, and with --trust-key its signature: an allowed_signers \
            or public key file, as for `tarmac inspect`); the install is \
            planned against this host before anything is removed, and every conflict is reported \
            at once. Files land under the AppSpec's destinations; bookkeeping, logs and old \
            revisions under --deployment-root.

            Events: ApplicationStop (scripts of the last successful revision), DownloadBundle, \
            BeforeInstall, Install, AfterInstall, ApplicationStart, ValidateService. --events picks \
            others (DownloadBundle and Install are added when missing).

            Refused up front (exit 2, nothing written): hostile members, symlink chains that \
            leave the bundle, hook scripts that are not regular files of the revision, names no \
            host can create, and bundles that unpack to more than --max-unpacked-size (default \
            4G) or to more than the free space of the staging directory or the deployment root.

            Delta bundles (`tarmac bundle --base REV`) apply only where REV is this group's last \
            successful install (its manifest digest is checked): otherwise exit 2, nothing changed.

            Rollback: with --trust-key the host remembers, per application and group, the \
            highest sequence (the commit's committer time, signed inside the bundle) it accepted, \
            in <deployment-root>/deployment-instructions/<group-id>_high_water_mark, and refuses \
            an older bundle (exit 2, naming both revisions, nothing changed) unless \
            --allow-downgrade. A bundle signed with `tarmac bundle --expires` is refused after \
            its expiry (by this host's clock).

            Exit 0 success; 1 an event failed (the message names the event, the script and its \
            exit code, and the log); 2 invalid bundle, AppSpec or options, a plan conflict, or \
            a deployment root (or an ancestor, or a record in it) owned or writable by another \
            user — nothing was changed.

            Examples:
              tarmac apply /media/usb/docs-site.tar.gz --trust-key release.pub
              tarmac apply app.zip --file-exists-behavior OVERWRITE
              tarmac apply app.tar.gz --events ApplicationStop,ApplicationStart
              tarmac apply old.tar.gz --trust-key release.pub --allow-downgrade
            """)

    @Argument(
        help: ArgumentHelp(
            "The bundle file (tarmac's own, or a CodeDeploy-style tar, tar.gz or zip).", valueName: "bundle"))
    var bundle: String

    @Option(name: .customLong("deployment-group"), help: "The deployment group this install belongs to.")
    var group = "local"

    @Option(help: "The application name (default: the bundle's manifest, else the file name).")
    var application: String?

    @Option(
        name: .customLong("file-exists-behavior"),
        help: ArgumentHelp(
            "DISALLOW, OVERWRITE or RETAIN, for files that exist and are not this group's; the AppSpec's own value wins.",
            valueName: "behavior"))
    var fileExistsBehavior: FileExistsBehavior = .disallow

    @Option(help: ArgumentHelp("Lifecycle or custom events to run, comma-separated.", valueName: "e1,e2,..."))
    var events: String?

    @Option(
        name: .customLong("deployment-root"),
        help: ArgumentHelp("Where tarmac keeps revisions, logs and records on this host.", valueName: "dir"))
    var deploymentRoot = "/var/lib/tarmac"

    @OptionGroup var trust: TrustOptions

    @Flag(
        name: .customLong("allow-downgrade"),
        help:
            "With --trust-key: install a bundle older than the newest this host accepted for this application and group (its committer time is lower); the receipt records the downgrade."
    )
    var allowDowngrade = false

    @Flag(
        name: .customLong("ignore-application-stop-failures"),
        help: "Go on when ApplicationStop (or a block-traffic hook) of the earlier revision fails.")
    var ignoreStopFailures = false

    @Flag(name: .customLong("keep-bundle"), help: "Keep bundle.tar in the deployment directory after unpacking.")
    var keepBundle = false

    @Option(name: .customLong("max-revisions"), help: "How many deployment directories of this group to keep.")
    var maxRevisions = 5

    @Option(
        name: .customLong("max-unpacked-size"),
        help: ArgumentHelp(
            "Refuse a bundle whose files unpack to more than this (bytes, or with K, M, G, T: 512M, 8G).",
            valueName: "size"))
    var maxUnpackedSize = UnpackedSize(bytes: UnpackLimits.defaultMaxBytes)

    @Option(
        help: ArgumentHelp(
            "Also write a copy of this deployment's receipt here (and its signature to <path>.sig), e.g. on the USB stick that carries it back for `tarmac receipts import`.",
            valueName: "path"))
    var receipt: String?

    @Flag(help: "Print the result as one JSON object on stdout.")
    var json = false

    func validate() throws {
        guard deploymentRoot.hasPrefix("/") else { throw ValidationError("--deployment-root must be an absolute path") }
        guard maxRevisions >= 1 else { throw ValidationError("--max-revisions must be at least 1") }
    }

    func run() async throws {
        let policy = try trust.policy()
        let work = try makeWorkDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        var staged = try await stage(trust: policy, into: work)
        let delta = try await checkDelta(&staged)
        var request = try makeRequest(staged)
        if let delta {
            request.deltas = AppliedDeltaProvider(
                delta, source: request.bundleSource, sha256: request.bundleSHA256,
                byteCount: request.localBundleByteCount ?? 0)
        }
        let rollback = try await checkRollback(staged, request: request, trusted: !policy.signers.isEmpty)
        request.downgradeFrom = rollback.downgradeFrom?.revision
        var printer = ApplyPrinter(json: json)
        printer.downgrade = rollback.downgradeFrom
        printer.start(request, staged: staged)
        Interrupt.install()
        let deployment = HostDeployment(transport: LocalTransport(), stopRequested: { Interrupt.requested })
        let result = await deployment.run(request) { [printer] in printer.progress($0) }
        await rollback.finish(result)
        reportReceipt(result, request: request)
        printer.finish(result, request: request, staged: staged)
        switch result.outcome {
        case .succeeded: return
        case .failed: throw ExitCode(Exit.failed)
        case .refused: throw ExitCode(Exit.invalidInput)
        case .stopped, .skipped: throw ExitCode(Exit.interrupted)
        }
    }

    private func stage(trust policy: TrustPolicy, into work: String) async throws -> StagedBundle {
        do {
            return try await BundleStager().stage(
                Console.absolute(bundle), trust: policy, into: work,
                limits: UnpackLimits(maxBytes: maxUnpackedSize.bytes), unpackLocally: true)
        } catch let error as BundleError {
            Console.say("error: \(error)")
            Console.say("nothing was changed")
            throw ExitCode(error.isInvalidInput ? Exit.invalidInput : Exit.failed)
        }
    }

    private func makeWorkDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "/tarmac-apply-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }
}
