import ArgumentParser
import Foundation
import TarmacCore
import TarmacHistory

/// `tarmac receipts`: what hosts report back across an air gap.
struct ReceiptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipts",
        abstract: "Carry back what hosts did: import the receipts `tarmac apply` and deployments leave on them.",
        subcommands: [ReceiptsImportCommand.self])
}

/// `tarmac receipts import FILE…`: verify receipts against known_hosts and record them.
struct ReceiptsImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Verify receipts against the hosts' keys in known_hosts and record them in the history.",
        discussion: """
            Every `tarmac apply`, and every deployment over SSH, leaves a receipt on the host: \
            <deployment-root>/receipts/<deployment-id>.json, signed by the host's own ed25519 host \
            key (SSHSIG, namespace tarmac-receipt) in <deployment-id>.json.sig beside it when the \
            key was readable (the deployment ran as root). `tarmac apply --receipt PATH` also \
            writes a copy, e.g. onto the USB stick.

            Each receipt's signature must be by the key that known_hosts holds for the host the \
            receipt names (or --host). A receipt changed after signing, or signed by a revoked \
            key, is always refused. An unsigned receipt, or one signed by an unknown or a \
            different key, is refused unless --trust-unsigned, which records it marked \
            UNVERIFIED. The deployment is then recorded with creator `receipt`, its host and its \
            events, so `tarmac history`, `tarmac show` and "what runs where now" include the \
            host. Importing a deployment the history already has changes nothing.

            All receipts are checked before any is recorded: one refusal (exit 2) records none.

            Check one by hand:
              echo "web1 $(cat ssh_host_ed25519_key.pub)" > hosts_signers
              ssh-keygen -Y verify -f hosts_signers -I web1 -n tarmac-receipt -s R.json.sig < R.json

            Examples:
              tarmac receipts import /media/usb/d-*.json
              tarmac receipts import receipt.json --known-hosts ops/known_hosts --host web1.internal
            """)

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: ArgumentHelp("Receipt files (their signatures are read from FILE.sig).", valueName: "file"))
    var files: [String]

    @Option(
        name: .customLong("known-hosts"),
        help: ArgumentHelp("The known_hosts file that holds the hosts' keys.", valueName: "file"))
    var knownHosts = "~/.ssh/known_hosts"

    @Option(
        help: ArgumentHelp(
            "The host's name in known_hosts (default: the name the receipt gives, from `uname -n` on the host); `[name]:port` for another port.",
            valueName: "name"))
    var host: String?

    @Flag(
        name: .customLong("trust-unsigned"),
        help: "Record receipts that are unsigned or signed by an unknown or different key, marked unverified.")
    var trustUnsigned = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one receipt file") }
    }

    func run() async throws {
        let importer = ReceiptImporter(
            knownHostsPath: Console.absolute(knownHosts), hostOverride: host, trustUnsigned: trustUnsigned)
        let checked: [ReceiptImporter.Checked]
        do {
            checked = try importer.check(files.map(Console.absolute))
        } catch let error as ReceiptError {
            Console.say("error: \(error)")
            Console.say("no receipt was imported")
            throw ExitCode(Exit.invalidInput)
        }
        let project = try await ProjectContext.load(repository)
        let store = try HistoryAccess.reading { try HistoryStore.open(repositoryRoot: project.repository.root) }
        for item in checked {
            let outcome = try HistoryAccess.reading { try store.importReceipt(item.receipt, note: item.note) }
            let receipt = item.receipt
            switch outcome {
            case .recorded:
                Console.say(
                    "recorded \(receipt.deploymentID): \(receipt.application) \(receipt.revision ?? "?") on \(receipt.host.name), \(receipt.result) (\(item.note))"
                )
            case .alreadyKnown:
                Console.say("\(receipt.deploymentID) is already in the history; nothing changed")
            }
        }
    }
}
