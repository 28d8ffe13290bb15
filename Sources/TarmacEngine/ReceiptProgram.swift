import TarmacCore

/// The host side of a receipt (`Receipt`): what the host says about itself, and the program
/// that writes the receipt under the deployment root and signs it with the host's ed25519
/// host key through the host's own `ssh-keygen -Y sign` (OpenSSH 8.0 and later, part of every
/// openssh-server install), so the private key never leaves the host.
///
///     @fact name web1                     uname -n
///     @fact machine 0123456789abcdef…     /etc/machine-id
///     @fact hostkey SHA256:…              the fingerprint of its ed25519 host key
///     @fact sign ok | @fact nosign WHY    whether it can sign
///     @fact found 0, size, b64 …          the previous deployment's receipt, if any
public enum ReceiptProgram {
    public static let hostKeyPath = "/etc/ssh/ssh_host_ed25519_key"

    /// What a deployment does to the group's installed record (`InstalledRecord`).
    public enum InstalledUpdate: Sendable, Equatable {
        /// Install did not run: the record still describes the host.
        case keep
        /// Install failed or was cut off: what is installed is not known any more.
        case remove
        /// Install succeeded: record these entries, as the host has them when the deployment ends.
        case write([InstalledRecord.Planned], destinations: [String])
    }

    /// Gathers the host's name, machine id, host key and ability to sign; with `previous`,
    /// also reads that earlier receipt (checked like every record).
    public static func gather(layout: HostLayout, previous: String?, installed: [InstalledRecord.Planned] = [])
        -> ShellScript
    {
        var s = Bookkeeping.prelude("gather what the receipt needs")
        s.reuseName = "\(layout.groupID).receipt-gather"
        s.append(RootCheck.helpers())
        s.run("t_chain", .quoted(layout.root))
        s.line("printf '@fact name %s\\n' \"$(uname -n | tr -d '\\n\\r')\" >&3")
        s.line(
            "[ ! -r /etc/machine-id ] || printf '@fact machine %s\\n' \"$(head -c 64 /etc/machine-id | tr -dc '0-9a-f')\" >&3"
        )
        Bookkeeping.assign("t_hk", hostKeyPath, in: &s)
        s.line(
            "[ ! -f \"$t_hk.pub\" ] || ! command -v ssh-keygen >/dev/null 2>&1 || printf '@fact hostkey %s\\n' \"$(ssh-keygen -lf \"$t_hk.pub\" | cut -d ' ' -f 2)\" >&3"
        )
        s.line("if ! command -v ssh-keygen >/dev/null 2>&1; then")
        s.line("  printf '@fact nosign %s\\n' 'ssh-keygen is not installed on the host' >&3")
        s.line("elif [ ! -f \"$t_hk\" ]; then")
        s.line("  printf '@fact nosign %s\\n' 'the host has no ed25519 host key (/etc/ssh/ssh_host_ed25519_key)' >&3")
        s.line("elif [ ! -r \"$t_hk\" ]; then")
        s.line(
            "  printf '@fact nosign %s\\n' \"the host key /etc/ssh/ssh_host_ed25519_key is readable only by root, and the deployment ran as uid $t_uid\" >&3"
        )
        s.line("else")
        s.line("  printf '@fact sign ok\\n' >&3")
        s.line("fi")
        s.append(InstalledRecord.statLines(installed))
        if let previous {
            s.run(RootCheck.checks([(layout.receiptsDirectory, "directory"), (previous, "record")]))
            // As base64 (`ReadFileProgram.emit`): a receipt lists every file a deployment wrote.
            ReadFileProgram.emit(0, path: previous, into: &s)
        }
        Bookkeeping.finish(&s)
        return s
    }

    /// Writes the receipt's text to `receiptFile(deploymentID)` and, with `sign`, its signature
    /// beside it (`.sig`); without, removes a stale signature. A failed signing is `@fact signfailed`.
    ///
    /// With `unlock`, the program ends by releasing the host lock (`LockProgram.releaseAtEnd`)
    /// once the receipt is written, unless signing it failed: the runner then writes it again,
    /// unsigned, still under the lock.
    public static func write(
        layout: HostLayout, deploymentID: String, text: String, sign: Bool, installed: InstalledRecord? = nil,
        removeInstalled: Bool = false, unlock: Bool = false
    ) -> ShellScript {
        let path = layout.receiptFile(deploymentID)
        let directory = layout.receiptsDirectory
        var s = Bookkeeping.prelude("write the receipt of deployment \(deploymentID)")
        s.reuseName = "\(layout.groupID).receipt-write"
        s.append(RootCheck.helpers())
        s.run("t_chain", .quoted(layout.root))
        s.run(
            "[", "-d", .quoted(directory), "]", "||", "mkdir", "-p", "-m", "0700", "--", .quoted(directory), "||",
            "t_fail", "receipt", .quoted("cannot create the receipts directory"), .quoted(directory))
        s.run(RootCheck.checks([(directory, "directory"), (path, "record"), (path + ".sig", "record")]))
        Bookkeeping.writeFile(path, text: text, label: "receipt", in: &s)
        if sign {
            s.run(
                "t_tmp=$(mktemp", "--", .quoted("\(directory)/.\(deploymentID).json.sig.XXXXXX"), ")", "&&",
                "ssh-keygen", "-q", "-Y", "sign", "-f", .quoted(hostKeyPath), "-n", .quoted(Receipt.namespace), "<",
                .quoted(path), ">", "\"$t_tmp\"", "&&", "mv", "-fT", "--", "\"$t_tmp\"", .quoted(path + ".sig"), "||",
                "{", "rm", "-f", "--", "${t_tmp:+\"$t_tmp\"}", ";", "printf", "'@fact signfailed\\n'", ">&3", ";",
                "t_signfailed=1", ";", "}")
        } else {
            s.run("rm", "-f", "--", .quoted(path + ".sig"))
        }
        s.run(RootCheck.checks([(layout.instructions, "directory"), (layout.installedFile, "record")]))
        if let installed {
            s.run(
                "[", "-d", .quoted(layout.instructions), "]", "||", "mkdir", "-p", "-m", "0755", "--",
                .quoted(layout.instructions), "||", "t_fail", "installed", .quoted("cannot create the directory"),
                .quoted(layout.instructions))
            Bookkeeping.writeFile(layout.installedFile, text: installed.text, label: "installed", in: &s)
        } else if removeInstalled {
            s.run("rm", "-f", "--", .quoted(layout.installedFile))
        }
        s.line("printf '@step receipt ok\\n' >&3")
        if unlock {
            s.line("if [ -z \"${t_signfailed:-}\" ]; then")
            s.append(LockProgram.releaseAtEnd(layout: layout, deploymentID: deploymentID))
            s.line("fi")
        }
        Bookkeeping.finish(&s)
        return s
    }

    /// What Install wrote: its placed destinations, split by whether the host had them before
    /// (`facts`, from the probe the plan was made from), and the previous install's paths it removed.
    public static func files(plan: InstallPlan, facts: HostFacts, progress: InstallProgress) -> Receipt.Files {
        var files = Receipt.Files()
        for path in progress.placed {
            if (facts.paths[path] ?? .missing) == .missing {
                files.added.append(path)
            } else {
                files.changed.append(path)
            }
        }
        if progress.removed >= progress.removalsPlanned {
            let placed = Set(progress.placed)
            files.removed = plan.removals.filter { !placed.contains($0) }
        }
        return files
    }
}
