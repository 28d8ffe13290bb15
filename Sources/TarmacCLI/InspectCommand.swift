import ArgumentParser
import Foundation
import TarmacBundle
import TarmacCore
import TarmacSigning

/// `tarmac inspect`: what a bundle holds and whether it can be trusted.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a bundle's revision, files and AppSpec, and verify it.",
        discussion: """
            Reads tarmac's own bundles and plain CodeDeploy-style tar, tar.gz and zip revisions. \
            Every member is hashed and checked against the manifest; hostile members (.., absolute \
            paths, escaping symlinks, device files, hard links out of the tree) are reported, never \
            followed; so are symlink chains resolved through the bundle's own links that leave \
            it, the same path twice, a file where a directory is needed, names over the host's \
            limits (255 bytes a name, 4095 a path) and names that are not UTF-8 — whatever \
            apply would refuse. World-writable, setuid and setgid members are warned about. \
            Only regular files are read, and reading stops at --max-unpacked-size. \
            A delta bundle (`tarmac bundle --base`) is checked against its full manifest, and \
            the report says which revision it needs installed and how many files it carries. \
            With --trust-key, <bundle>.sig must be a valid signature (namespace tarmac) \
            by a key that file trusts. The file is an OpenSSH allowed_signers file, read as \
            `ssh-keygen -Y verify` reads it (principals, namespaces=, valid-after=, valid-before=; \
            cert-authority lines are refused), or plain public key lines; `@revoked` lines and \
            --revoked files refuse their keys.

            Exit 0 when the bundle verifies, 2 when it is damaged, tampered with, hostile, \
            unsigned or signed by a key that is not trusted (or is revoked, expired, not yet valid, \
            limited to other namespaces, or not --signer-identity) while --trust-key is given, or \
            its AppSpec is invalid.

            Examples:
              tarmac inspect docs-site.tar.gz
              tarmac inspect /media/usb/docs-site.tar.zst --trust-key release.pub
              tarmac inspect docs-site.tar.gz --trust-key allowed_signers --signer-identity ci@example.com
              tarmac inspect docs-site.tar.gz --json | jq .files
            """)

    @Argument(help: ArgumentHelp("The bundle file.", valueName: "bundle"))
    var bundle: String

    @OptionGroup var trust: TrustOptions

    @Option(
        name: .customLong("max-unpacked-size"),
        help: ArgumentHelp(
            "Stop reading a bundle whose files unpack to more than this (bytes, or with K, M, G, T).",
            valueName: "size"))
    var maxUnpackedSize = UnpackedSize(bytes: UnpackLimits.defaultMaxBytes)

    @Flag(help: "Print one JSON object on stdout instead of the human report.")
    var json = false

    func run() async throws {
        let policy = try trust.policy()
        let report: BundleReport
        do {
            report = try await BundleInspector().inspect(
                bundle, trust: policy, limits: UnpackLimits(maxBytes: maxUnpackedSize.bytes))
        } catch let error as BundleError {
            Console.say("error: \(error)")
            throw ExitCode(error.isInvalidInput ? Exit.invalidInput : Exit.failed)
        }
        let appspec = InspectAppSpec(report: report)
        if json {
            Console.json(try InspectJSON(report: report, appspec: appspec).encoded())
        } else {
            InspectText(report: report, appspec: appspec).print()
        }
        guard report.isTrustworthy, !appspec.diagnostics.hasErrors, report.appspecText != nil || appspec.fromBase
        else {
            throw ExitCode(Exit.invalidInput)
        }
    }
}
