/// Where the bytes of a bundle come from when the download program runs on the host.
public enum BundleSource: Sendable, Equatable {
    /// A file already on the host (`tarmac apply`): copied.
    case localFile(String)
    /// Exactly this many bytes on the program's standard input (the SSH transport streams them).
    case standardInput(byteCount: Int64)
    /// A plain tar tarmac wrote on this host while it verified the bundle, in a directory
    /// only it can write (`tarmac apply`): unpacked where it is, not copied or hashed again.
    case verifiedFile(String)
}

/// DownloadBundle (spec §4.10, tarmac's push form): make the deployment directory (0700 until
/// the archive is unpacked, then 0711) and its `logs/` (0700), delete the retention
/// candidates, write `bundle.tar` (0600), check its SHA-256, wipe and unpack
/// `deployment-archive/` (plain tar or tar.gz, detected by tar), take the bundle's group and
/// other write bits and setuid/setgid bits off the archive and close it (0700: the hook
/// program lets a script's runas user in), write the archive stat record (`ArchiveStat`), drop
/// the bundle unless kept, and write `_most_recent_install`.
///
/// Progress: `@step retention ok`, `@step bundle ok`, `@step verify ok`, `@step unpack ok`.
/// Failures name the step; a wrong digest prints both digests; a full disk says so, with what
/// unpacking needs (tar's own "Wrote only N of M bytes" counts as a full disk).
public enum DownloadProgram {
    /// Renders the program. `delete` holds absolute paths from `Retention.directoriesToDelete`;
    /// anything that is not a direct child of the group directory (or is the current
    /// deployment's own directory) is left out. `statFiles` are the revision's regular files
    /// (paths relative to the archive) in manifest order: the archive stat record
    /// (`HostLayout.archiveStatFile`) lists them; without them no record is written.
    /// `executables` are the revision's hook scripts (AppSpec locations): made executable
    /// before the record is written, as the hook program would make them later (which would
    /// change their ctimes and so the record).
    public static func render(
        layout: HostLayout, deploymentID: String, source: BundleSource, sha256: String,
        delete: [String], keepBundle: Bool, unpackedBytes: Int64 = 0, statFiles: [String] = [],
        executables: [String] = []
    ) -> ShellScript {
        var script = opening(
            "download and unpack the bundle of deployment \(deploymentID)", layout: layout, deploymentID: deploymentID,
            unpackedBytes: unpackedBytes)
        retention(delete, layout: layout, deploymentID: deploymentID, into: &script)
        receive(source, sha256: sha256, keepBundle: keepBundle, into: &script)
        script.line("t_unpack")
        if !hookScripts(executables).isEmpty {
            script.line("cd -- \"$t_archive\" || t_fail unpack 'cannot enter deployment-archive' \"$t_archive\"")
            makeExecutable(executables, into: &script)
        }
        if statFiles.isEmpty {
            script.run("rm", "-f", "--", "\"$t_record\"")
        } else {
            ArchiveStat.write(files: statFiles, into: &script)
        }
        if !keepBundle, !source.isVerifiedFile {
            script.run("rm", "-f", "--", "\"$t_bundle\"")
        }
        closing(layout: layout, deploymentID: deploymentID, into: &script)
        return script
    }

    /// The prelude, helpers and variables, and the deployment directory made (closed).
    static func opening(_ title: String, layout: HostLayout, deploymentID: String, unpackedBytes: Int64) -> ShellScript
    {
        var script = Bookkeeping.prelude(title)
        script.reuseName = "\(layout.groupID).download"
        script.append(helpers())
        script.append(ArchiveStat.helpers())
        // For the message of a full disk: what unpacking needs.
        Bookkeeping.assign("t_need", String(max(0, unpackedBytes)), in: &script)
        Bookkeeping.assign("t_dir", layout.deploymentDirectory(deploymentID), in: &script)
        Bookkeeping.assign("t_bundle", layout.bundleFile(deploymentID), in: &script)
        Bookkeeping.assign("t_archive", layout.archiveDirectory(deploymentID), in: &script)
        Bookkeeping.assign("t_record", layout.archiveStatFile(deploymentID), in: &script)
        script.comment("Closed while the bundle is unpacked; bundle.tar, logs and records are private.")
        script.run(
            "mkdir", "-p", "--", "\"$t_dir/logs\"", "&&", "chmod", "0700", "--", "\"$t_dir\"", "\"$t_dir/logs\"",
            "||", "t_fail", "directories", .quoted("cannot create the deployment directory"), "\"$t_dir\"")
        script.line("umask 077")
        return script
    }

    /// Retention (§4.9): the old deployment directories to delete, but never the current one
    /// nor `keep` (a delta's base).
    static func retention(
        _ delete: [String], layout: HostLayout, deploymentID: String, keep: String? = nil,
        into script: inout ShellScript
    ) {
        script.comment("Retention (§4.9): old deployment directories, oldest first.")
        let current = layout.deploymentDirectory(deploymentID)
        for (index, path) in delete.enumerated()
        where isRetentionTarget(path, layout: layout, current: current) && path != keep {
            script.run("t_purge", .number(index), .quoted(path))
        }
        script.line("printf '@step retention ok\\n' >&3")
    }

    /// Writes `bundle.tar` from the source and checks its digest (`@step bundle`, `@step verify`).
    static func receive(_ source: BundleSource, sha256: String, keepBundle: Bool, into script: inout ShellScript) {
        if case .verifiedFile(let path) = source {
            script.append(fetchVerified(path, keep: keepBundle))
        } else {
            script.append(fetch(source))
            // Only hex digits reach the program, so the mismatch note stays one line.
            script.run("t_verify", .quoted(String(sha256.lowercased().filter(\.isHexDigit))))
        }
    }

    /// Opens the deployment directory and names it `_most_recent_install`; `@done 0`.
    static func closing(layout: HostLayout, deploymentID: String, into script: inout ShellScript) {
        script.comment("Others may pass through to the archive, which only root and runas users may enter.")
        script.run(
            "chmod", "0711", "--", "\"$t_dir\"", "||", "t_fail", "directories",
            .quoted("cannot open the deployment directory"), "\"$t_dir\"")
        script.run(
            "mkdir", "-p", "--", .quoted(layout.instructions), "||", "t_fail", "bookkeeping",
            .quoted("cannot create deployment-instructions"), .quoted(layout.instructions))
        Bookkeeping.writeFile(
            layout.mostRecentFile, text: layout.deploymentDirectory(deploymentID), label: "most-recent", in: &script)
        Bookkeeping.finish(&script)
    }

    /// Hook script locations as paths below the archive (a leading `./` dropped; anything
    /// that is not a plain relative path left out), once each.
    static func hookScripts(_ locations: [String]) -> [String] {
        let paths = locations.map { $0.hasPrefix("./") ? String($0.dropFirst(2)) : $0 }
        return Array(Set(paths.filter(DeltaProgram.isPlainRelative))).sorted()
    }

    /// `t_exec` batches over the hook scripts, from the archive as the current directory.
    static func makeExecutable(_ locations: [String], into script: inout ShellScript) {
        let paths = hookScripts(locations)
        guard !paths.isEmpty else { return }
        script.comment("Hook scripts executable now, never a file shared with another archive.")
        ArchiveStat.batches(paths, call: "t_exec", into: &script)
    }

    static func isRetentionTarget(_ path: String, layout: HostLayout, current: String) -> Bool {
        let prefix = layout.groupDirectory + "/"
        guard path.hasPrefix(prefix), path != current else { return false }
        return Retention.isPlainName(String(path.dropFirst(prefix.count)))
    }

    /// Unpacks tarmac's own verified copy where it is, or keeps a copy of it as `bundle.tar`.
    static func fetchVerified(_ path: String, keep: Bool) -> ShellScript {
        var s = ShellScript()
        if keep {
            s.run("rm", "-f", "--", "\"$t_bundle\"")
            s.run("t_err=$(cp", "--", .quoted(path), "\"$t_bundle\"", "2>&1)", "||", "t_write_failed", "\"$t_err\"")
        } else {
            Bookkeeping.assign("t_bundle", path, in: &s)
        }
        s.line("printf '@step bundle ok\\n' >&3")
        s.line("printf '@step verify ok\\n' >&3")
        return s
    }

    /// Writes `bundle.tar` from the source; a short or failed write removes the partial file.
    static func fetch(_ source: BundleSource) -> ShellScript {
        var s = ShellScript()
        s.run("rm", "-f", "--", "\"$t_bundle\"")
        switch source {
        case .localFile(let path):
            s.run("t_err=$(cp", "--", .quoted(path), "\"$t_bundle\"", "2>&1)", "||", "t_write_failed", "\"$t_err\"")
        case .verifiedFile(let path):
            s.run("t_err=$(cp", "--", .quoted(path), "\"$t_bundle\"", "2>&1)", "||", "t_write_failed", "\"$t_err\"")
        case .standardInput(let count):
            s.run(
                "t_err=$(head", "-c", .number(count), "2>&1", ">", "\"$t_bundle\")", "||", "t_write_failed",
                "\"$t_err\"")
            s.line("t_size=$(wc -c < \"$t_bundle\" | tr -d ' ')")
            s.run("[", "\"$t_size\"", "=", .number(count), "]", "||", "t_short", .number(count))
        }
        s.line("printf '@step bundle ok\\n' >&3")
        return s
    }

    /// The shell functions the program calls; fixed text, no data.
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.line(
            "t_purge() { rm -rf -- \"$2\" || t_fail \"retention:$1\" \"cannot delete old deployment directory #$1\" \"$2\"; }"
        )
        s.line("t_write_failed() {")
        s.line("  rm -f -- \"$t_bundle\"")
        s.line(
            "  if t_disk_full \"$1\"; then t_fail bundle \"no space left on device (the disk is full) while writing $t_bundle\" \"$1\"; fi"
        )
        s.line("  t_fail bundle 'bundle.tar could not be written' \"$1\"")
        s.line("}")
        // GNU tar says "Wrote only N of M bytes" when a write stops short on a full disk.
        s.line("t_short_write() { case $1 in *'Wrote only '*' of '*' bytes'*) return 0 ;; esac; return 1; }")
        s.line("t_short() {")
        s.line("  rm -f -- \"$t_bundle\"")
        s.line("  t_fail bundle \"the bundle stream ended early: expected $1 bytes, got $t_size\"")
        s.line("}")
        s.line("t_verify() {")
        s.line("  t_sum=$(sha256sum < \"$t_bundle\") || t_fail verify 'sha256sum failed on bundle.tar'")
        s.line("  t_sum=${t_sum%% *}")
        s.line("  if [ \"$t_sum\" != \"$1\" ]; then")
        s.line("    rm -f -- \"$t_bundle\"")
        s.line(
            "    t_fail verify \"bundle.tar does not match: expected sha256 $1, got $t_sum; the partial bundle was removed\""
        )
        s.line("  fi")
        s.line("  printf '@step verify ok\\n' >&3")
        s.line("}")
        // A file with more than one link is one an archive shares with another: a copy is
        // made executable instead.
        s.line("t_exec() {")
        s.line("  for t_p do")
        s.line("    [ -f \"$t_p\" ] && [ ! -L \"$t_p\" ] && [ ! -x \"$t_p\" ] || continue")
        s.line("    if [ \"$(stat -c %h -- \"$t_p\")\" != 1 ]; then")
        s.line("      t_t=$(mktemp -- \"$t_p.XXXXXX\") && cp -p -- \"$t_p\" \"$t_t\" && mv -f -- \"$t_t\" \"$t_p\" ||")
        s.line("        t_fail unpack 'cannot make a hook script executable' \"$t_p\"")
        s.line("    fi")
        s.line("    chmod a+x -- \"$t_p\" || t_fail unpack 'cannot make a hook script executable' \"$t_p\"")
        s.line("    t_p=$(printf '%s' \"${t_p#./}\" | tr '\\001-\\037\\177' '[?*]')")
        s.line("    t_note \"Script at specified location: $t_p is not executable; made it executable (chmod a+x)\"")
        s.line("  done")
        s.line("}")
        s.line("t_unpack() {")
        s.line(
            "  rm -rf -- \"$t_archive\" && mkdir -m 0700 -- \"$t_archive\" || t_fail unpack 'cannot wipe deployment-archive' \"$t_archive\""
        )
        s.line("  if ! t_err=$(tar -x -p --no-same-owner -f \"$t_bundle\" -C \"$t_archive\" 2>&1); then")
        s.line("    rm -rf -- \"$t_archive\"")
        s.line(
            "    if t_disk_full \"$t_err\" || t_short_write \"$t_err\"; then t_fail unpack \"no space left on device (the disk is full) while unpacking into $t_archive ($t_need bytes needed)\" \"$t_err\"; fi"
        )
        s.line("    t_fail unpack 'tar could not unpack bundle.tar' \"$t_err\"")
        s.line("  fi")
        s.comment(
            "  Whatever modes the bundle has: nothing writable by others, no setuid or setgid, closed to all but root.")
        // Only what needs it (links are never followed, as with chmod -R): GNU chmod calls
        // chmod(2) on every entry, even one whose mode is already right.
        s.line("  find \"$t_archive\" ! -type l -perm /6022 -exec chmod go-w,ug-s -- {} + &&")
        s.line("    chmod 0700 -- \"$t_archive\" ||")
        s.line("    t_fail unpack 'cannot set the modes of deployment-archive' \"$t_archive\"")
        s.line("  printf '@step unpack ok\\n' >&3")
        s.line("}")
        return s
    }
}

extension BundleSource {
    var isVerifiedFile: Bool {
        if case .verifiedFile = self { return true }
        return false
    }
}
