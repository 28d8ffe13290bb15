import TarmacCore

/// The archive stat record: what `stat` said of a deployment archive's regular files right
/// after DownloadBundle unpacked them, so a later delta can reuse them without hashing them.
///
///     tarmac-archive-stat 1 <manifest sha256 hex>
///     <inode> <size> <mtime.ns> <ctime.ns> <mode> <uid> <gid>     one per regular file,
///                                                                 in manifest order, no names
///
/// No user can set a ctime: a file written in place, replaced, renamed or chmodded since the
/// record was written shows a different line, so an unchanged record (of a record file only
/// the deployment user can write) proves the files are still the bytes the manifest names.
/// One `stat` per batch of paths (`ArgumentBatches`), the probe's way.
enum ArchiveStat {
    /// The record's first word and version.
    static let header = "tarmac-archive-stat 1"
    /// The fields of one line; `stat`'s output names no file.
    static let format = "%i %s %.9Y %.9Z %a %u %g"

    /// Regular files' paths, relative to the archive, in manifest order.
    static func regularFiles(_ files: [BundleManifest.File]) -> [String] {
        files.filter { $0.type == .file }.map(\.path)
    }

    /// `"$1" ./p … ` batches: `command` is a shell function taking a batch of paths (relative
    /// to the current directory, each prefixed `./` so none reads as an option).
    static func batches(_ paths: [String], call command: ShellWord, into script: inout ShellScript) {
        for range in ArgumentBatches.ranges(paths, extra: 2) {
            script.run(ShellCommand([command] + paths[range].map { .quoted("./" + $0) }))
        }
    }

    /// A shell function `name` that calls its first argument with each batch of `paths`:
    /// the paths appear once in the program however many passes read them.
    static func listFunction(_ name: StaticString, _ paths: [String], into script: inout ShellScript) {
        script.run(.literal(name), "()", "{")
        ArchiveStat.batches(paths, call: "\"$1\"", into: &script)
        script.run(":", ";", "}")
    }

    /// Writes the record of the archive at `$t_archive` to `$t_record` (full download): the
    /// header's digest is the archive's own `.tarmac/manifest.sha256`; without one, or when a
    /// file cannot be stat'ed, no record is left (a later delta then falls back).
    static func write(files: [String], into script: inout ShellScript) {
        script.comment("The archive stat record: one stat per batch of regular files, in manifest order.")
        script.line("t_record_begin")
        batches(files, call: "t_stat_add", into: &script)
        script.line("t_record_end")
    }

    /// `t_sha_of FILE`: the 64 lowercase hex digits a `manifest.sha256` starts with, in
    /// `t_sha` (empty when the file is not a regular file or does not start with exactly 64).
    static func shaHelper() -> ShellScript {
        var s = ShellScript()
        s.line("t_sha_of() {")
        s.line("  t_sha=")
        s.line("  [ -f \"$1\" ] && [ ! -L \"$1\" ] || return 0")
        // 64 digits, then the end of the file, a newline or the space before the file name.
        s.line("  t_sha=$(head -c 65 -- \"$1\") || t_sha=")
        s.line("  case ${#t_sha}:$t_sha in 64:*) ;; 65:*' ') t_sha=${t_sha%' '} ;; *) t_sha= ;; esac")
        s.line("  case $t_sha in *[!0-9a-f]*) t_sha= ;; esac")
        s.line("}")
        return s
    }

    /// `t_sha_of FILE`, `t_stat_add PATH…`, `t_record_begin`, `t_record_end`; fixed text, no data.
    static func helpers() -> ShellScript {
        var s = shaHelper()
        s.comment("t_stat_add PATH…: appends the record lines of the paths to $t_out.")
        s.line("t_stat_add() { stat -c '%i %s %.9Y %.9Z %a %u %g' -- \"$@\" >> \"$t_out\" || t_stat_bad=1; }")
        s.line("t_record_begin() {")
        s.line("  t_out= t_stat_bad=")
        s.line("  rm -f -- \"$t_record\"")
        s.line("  t_sha_of \"$t_archive/.tarmac/manifest.sha256\"")
        s.line("  [ -n \"$t_sha\" ] && cd -- \"$t_archive\" || { t_stat_bad=1; t_out=/dev/null; return 0; }")
        s.line("  t_out=$(mktemp -- \"$t_dir/.archive.stat.XXXXXX\") ||")
        s.line("    t_fail archive-stat 'could not write the archive stat record' \"$t_record\"")
        s.line("  printf '%s %s\\n' 'tarmac-archive-stat 1' \"$t_sha\" > \"$t_out\" || t_stat_bad=1")
        s.line("}")
        s.line("t_record_end() {")
        s.line("  cd /")
        s.line("  [ \"$t_out\" != /dev/null ] || return 0")
        s.line("  if [ -n \"$t_stat_bad\" ]; then rm -f -- \"$t_out\"; return 0; fi")
        s.line("  mv -fT -- \"$t_out\" \"$t_record\" || { rm -f -- \"$t_out\";")
        s.line("    t_fail archive-stat 'could not write the archive stat record' \"$t_record\"; }")
        s.line("}")
        return s
    }
}

extension HostLayout {
    /// The archive stat record of a deployment directory (`ArchiveStat`): root's, 0600.
    public func archiveStatFile(_ deploymentID: String) -> String {
        "\(deploymentDirectory(deploymentID))/archive.stat"
    }
}
