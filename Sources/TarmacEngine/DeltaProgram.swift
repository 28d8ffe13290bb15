import TarmacCore

/// DownloadBundle's delta form: the bundle carries only what changed since a base revision
/// the host has (`BundleDelta`), and the host rebuilds the full archive from the base.
///
/// 1. the deployment directory and `logs/` as `DownloadProgram` makes them;
/// 2. the delta tar received as `bundle.tar` and its SHA-256 checked (a mismatch fails);
/// 3. the base checked: its `archive.stat` (`ArchiveStat`) exists, is a regular file of the
///    deployment user that no one else can write, names the expected base manifest, and a
///    fresh `stat` of the base's regular files equals it byte for byte; then retention, never
///    the base (after the check: deleting an old deployment directory unlinks the files it
///    shares with the base through an earlier delta, which changes their ctimes);
/// 4. the archive rebuilt: the base's archive hard-linked (`cp -al`, one process), the base
///    files the target changes or drops and its `.tarmac/` removed, the directories the target
///    drops removed, the delta unpacked over it, and the modes set on what the delta brought
///    only (directories, which `cp` made anew, where the walks of `t_shape` find them; the
///    delta's files and `.tarmac/`): a chmod on a linked inode would change the base's ctime,
///    as GNU chmod calls chmod(2) even when the mode is already right;
/// 5. verified: every file the delta carries against the target manifest's SHA-256, every
///    file a regular file of the size and mode the manifest names, and nothing else in the
///    archive (a file a hook left in the base's archive would not be in a full unpack); the
///    walk that counts the entries also finds the directories whose modes must be set;
/// 6. the new `archive.stat` written from the stat of step 5, the base's rewritten (linking
///    changed its files' ctimes; only when nothing else of them changed), and the tail of
///    `DownloadProgram`.
///
/// Progress: `@step bundle ok`, `@step verify ok`, `@step base ok`, `@step retention ok`,
/// `@step unpack ok`. `executables` (hook scripts) are made executable as `DownloadProgram`
/// makes them, a file shared with the base by a copy. When the base cannot be used (steps 3 to 5) the program prints
/// `@fallback <reason>` (one line, no control characters), removes the archive it began
/// and ends `@done 1`: the full bundle must be sent. Other failures are `t_fail`s as in
/// `DownloadProgram`. Nothing of the base is ever written but its `archive.stat`.
public enum DeltaProgram {
    /// The revision a delta is applied to: the deployment directory `_last_successful_install`
    /// names on the host.
    public struct Base: Sendable, Equatable {
        /// The base's deployment directory (absolute).
        public var directory: String
        /// The SHA-256 (hex) of the base's manifest: the delta's `base_manifest_sha256`.
        public var manifestSHA256: String
        /// The base manifest's files in its order (its regular files are checked).
        public var files: [BundleManifest.File]

        public init(directory: String, manifestSHA256: String, files: [BundleManifest.File]) {
            self.directory = directory
            self.manifestSHA256 = manifestSHA256
            self.files = files
        }
    }

    /// Renders the program. `target` is the target manifest's files in its order, `delta` is
    /// `BundleDelta.between(base:target:)` of the two manifests, and `delete`, `keepBundle`
    /// and `unpackedBytes` are as for `DownloadProgram.render` (the base is never deleted).
    public static func render(
        layout: HostLayout, deploymentID: String, source: BundleSource, sha256: String, base: Base,
        target: [BundleManifest.File], delta: BundleDelta, delete: [String], keepBundle: Bool,
        unpackedBytes: Int64 = 0, executables: [String] = []
    ) -> ShellScript {
        var script = DownloadProgram.opening(
            "download the delta of deployment \(deploymentID) and rebuild its archive from the base",
            layout: layout, deploymentID: deploymentID, unpackedBytes: unpackedBytes)
        script.reuseName = "\(layout.groupID).delta"
        script.append(DeltaProgramShell.helpers())
        variables(base, dropBundle: !keepBundle && !source.isVerifiedFile, into: &script)
        lists(base: base, target: target, delta: delta, into: &script)
        DownloadProgram.receive(source, sha256: sha256, keepBundle: keepBundle, into: &script)
        let odd = { (files: [BundleManifest.File]) in files.lazy.map(\.path).first { !isPlainRelative($0) } }
        if let path = odd(base.files) ?? odd(target) {
            // The manifests are tarmac's own; still, nothing is resolved outside the archives.
            script.run(
                "t_fallback",
                .quoted("a manifest names a path a delta is not applied to: " + Bookkeeping.display(path)))
        }
        script.comment("The base: its archive stat record, unchanged since it was written.")
        script.line("t_scratch")
        script.line("t_base_check")
        // After the check: an old directory may share inodes with the base (an earlier delta
        // linked them), and deleting it changes their ctimes; the base's record is rewritten last.
        DownloadProgram.retention(
            delete, layout: layout, deploymentID: deploymentID, keep: base.directory, into: &script)
        script.comment("The archive: the base's files linked, the delta unpacked over them.")
        script.line("t_link")
        script.comment("Nothing but the base's entries was linked (a link planted for a directory is never entered).")
        script.run(
            "t_shape", .quoted(shape(base.files)),
            .quoted("the base's deployment-archive holds entries its manifest does not list"))
        script.line("t_replaced_files t_remove")
        script.line("t_dropped_directories t_rmdir")
        script.line("t_extract")
        script.line("t_sent_files t_modes")
        script.line("t_modes_rest")
        DownloadProgram.makeExecutable(executables, into: &script)
        script.line("printf '@step unpack ok\\n' >&3")
        verification(
            delta: delta, executable: Set(DownloadProgram.hookScripts(executables)), target: target, into: &script)
        script.comment("The records: the new archive's, and the base's again (linking changed its ctimes).")
        script.line("t_record_both")
        script.line("t_rebase")
        script.line("[ -z \"$t_drop_bundle\" ] || rm -f -- \"$t_bundle\"")
        script.line("rm -rf -- \"$t_tmpd\"")
        DownloadProgram.closing(layout: layout, deploymentID: deploymentID, into: &script)
        return script
    }

    static func variables(_ base: Base, dropBundle: Bool, into script: inout ShellScript) {
        Bookkeeping.assign("t_base", base.directory, in: &script)
        Bookkeeping.assign("t_base_archive", base.directory + "/deployment-archive", in: &script)
        Bookkeeping.assign("t_base_record", base.directory + "/archive.stat", in: &script)
        // Only hex digits reach the program: the record's header is compared with it.
        Bookkeeping.assign("t_base_sha", String(base.manifestSHA256.lowercased().filter(\.isHexDigit)), in: &script)
        Bookkeeping.assign("t_base_count", String(ArchiveStat.regularFiles(base.files).count), in: &script)
        Bookkeeping.assign("t_drop_bundle", dropBundle ? "1" : "", in: &script)
    }

    /// The path lists, each once, as functions that call their argument with each batch.
    static func lists(base: Base, target: [BundleManifest.File], delta: BundleDelta, into script: inout ShellScript) {
        script.comment("Paths, relative to an archive, in batches (`ArgumentBatches`).")
        ArchiveStat.listFunction("t_base_files", ArchiveStat.regularFiles(base.files), into: &script)
        ArchiveStat.listFunction("t_target_files", ArchiveStat.regularFiles(target), into: &script)
        ArchiveStat.listFunction("t_sent_files", delta.sent.map(\.path), into: &script)
        ArchiveStat.listFunction("t_replaced_files", delta.replaced, into: &script)
        ArchiveStat.listFunction("t_dropped_directories", delta.droppedDirectories, into: &script)
    }

    /// Step 5: the digests of what the delta brought, the kind, size and mode of every file
    /// (one stat, which `t_record_both` writes as the archive stat record), and the number of
    /// entries (nothing but the target's).
    static func verification(
        delta: BundleDelta, executable: Set<String>, target: [BundleManifest.File], into script: inout ShellScript
    ) {
        script.comment("What the delta brought has the target manifest's digests.")
        let sums = delta.sent.map { String(($0.sha256 ?? "").lowercased().filter(\.isHexDigit)) + "\n" }
        script.run("t_expect", .quoted(sums.joined()))
        script.line("t_sent_files t_sum_add")
        script.line("t_check_sent")
        script.comment("Every file is a regular file of the target's size and mode (`stat` %f %s), in the stat")
        script.comment("that also gives the new archive stat record.")
        let kinds = target.filter { $0.type == .file }.map {
            kindLine($0, executable: executable.contains($0.path)) + "\n"
        }
        script.run("t_expect", .quoted(kinds.joined()))
        script.line("t_target_files t_both_add")
        script.line("t_check_kinds")
        script.comment("Nothing else: the entries of the archive but .tarmac, and the archive itself, by kind.")
        script.run("t_shape", .quoted(shape(target)), .quoted("the rebuilt archive is not the target's"))
    }

    /// A path below an archive: relative, without empty, `.` or `..` components.
    static func isPlainRelative(_ path: String) -> Bool {
        // A leading `/` is an empty first component.
        PathComponents(of: path).isPlain
    }

    /// How many entries of each kind an archive of `files` holds besides `.tarmac/`, as
    /// `t_shape` prints them: `find -printf %y` letters counted, in `sort` order (the archive
    /// itself is a directory).
    static func shape(_ files: [BundleManifest.File]) -> String {
        let counts = [
            ("d", files.filter { $0.type == .directory }.count + 1), ("f", files.filter { $0.type == .file }.count),
            ("l", files.filter { $0.type == .symlink }.count),
        ]
        return counts.filter { $0.1 > 0 }.map { "\($0.1)\($0.0) " }.joined()
    }

    /// `stat -c '%f %s'` of a regular file of `file`'s manifest mode once DownloadBundle took
    /// group and other write and setuid and setgid off (and made it executable, a hook script).
    static func kindLine(_ file: BundleManifest.File, executable: Bool) -> String {
        let mode = (UInt32(file.mode, radix: 8) ?? 0) & 0o7777 & ~0o6022 | (executable ? 0o111 : 0)
        return String(0o100000 | mode, radix: 16) + " " + String(file.size)
    }
}
