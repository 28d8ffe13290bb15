/// The program that asks a host everything the planner needs (one round trip), and the
/// parser that turns its `@fact` lines into `HostFacts`.
///
/// Facts it prints (paths and names by index into the request, host-chosen names as hex):
///
///     @fact kinds <i> <letters>              each path's kind from index i, one letter each (`ProbeStats`)
///     @fact user <i> <present|absent>        (likewise group, tool)
///     @fact cleanup-b64 <base64>             the cleanup file, 57 bytes a line (or cleanup-hex), then
///     @fact cleanup-size <n>                 its size, to check nothing was lost
///     @fact install-stat <line>              the last Install's `InstallStatRecord`, line by line
///     @fact last-successful-hex <hex>        `_last_successful_install` (trailing newline dropped)
///     @fact last-successful-exists <yes|no>
///     @fact last-successful-unsafe <hex>     a path in it others can write, or not owned by this user
///     @fact base-manifest-sha256 <hex>       its archive's `.tarmac/manifest.sha256` digest (a delta's base)
///     @fact deployment-mtimes <mtime> …      the entries of `<root>/<group-id>/`: their mtimes, then
///     @fact deployment-names <hex>           their names, each ended by a NUL byte, in the same order
///     @fact deployment <mtime> <hex name>    one per entry instead, when one vanished during the stat
///     @fact free-kib <n>                     free space on the deployment root's file system
///     @fact lock <hex id> <pid> <epoch> <alive|dead> [caller]
public enum ProbeProgram {
    /// Renders the probe. `runnerPID` is the pid the lock program records for this runner
    /// (nil: the SSH connection's process, `TARMAC_SESSION_PID`, else the program's parent); a lock held by it is marked `caller`.
    public static func render(request: ProbeRequest, layout: HostLayout, runnerPID: Int32?) -> ShellScript {
        var script = Bookkeeping.prelude("probe of group \(layout.groupID)")
        script.reuseName = "\(layout.groupID).probe"
        script.append(helpers())
        script.comment(
            "The deployment root and the records in it: owned by root (or this user), writable by no one else.")
        script.append(RootCheck.check(layout))
        script.append(steps(request: request, layout: layout, runnerPID: runnerPID))
        Bookkeeping.finish(&script)
        return script
    }

    /// The probe's work without its frame (prelude, `helpers()`, the check of the deployment
    /// root, the final `@done`): the tail of the lock program that probes once it holds the
    /// lock (`LockProgram.acquire`), which has checked the root already.
    static func steps(request: ProbeRequest, layout: HostLayout, runnerPID: Int32?) -> ShellScript {
        var script = ShellScript()
        ProbeStats.render(request.paths, into: &script)
        script.comment("Users, groups and tools.")
        for (index, user) in request.users.enumerated() { script.run("t_user", .number(index), .quoted(user)) }
        for (index, group) in request.groups.enumerated() { script.run("t_group", .number(index), .quoted(group)) }
        for (index, tool) in request.tools.enumerated() { script.run("t_tool", .number(index), .quoted(tool)) }
        script.comment("Bookkeeping of the group, free space and the host lock.")
        script.run("t_cleanup", .quoted(layout.cleanupFile))
        script.run("t_install_stat", .quoted(layout.installStatFile))
        script.run("t_last", .quoted(layout.lastSuccessfulFile), .quoted(layout.groupDirectory))
        script.run("t_deployments", .quoted(layout.groupDirectory))
        script.run("t_free", .quoted(layout.root))
        if let runnerPID {
            script.run("t_lock", .quoted(layout.lockDirectory), .number(runnerPID))
        } else {
            script.run("t_lock", .quoted(layout.lockDirectory), .literal("\"${TARMAC_SESSION_PID:-$PPID}\""))
        }
        return script
    }

    /// The shell functions the probe calls; fixed text, no data.
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_hex() { od -An -v -tx1 | tr -d ' \\n'; }")
        s.line("t_has() { if \"$@\" >/dev/null 2>&1; then echo present; else echo absent; fi; }")
        s.line("t_user() { printf '@fact user %s %s\\n' \"$1\" \"$(t_has getent passwd \"$2\")\" >&3; }")
        s.line("t_group() { printf '@fact group %s %s\\n' \"$1\" \"$(t_has getent group \"$2\")\" >&3; }")
        s.line("t_tool() { printf '@fact tool %s %s\\n' \"$1\" \"$(t_has command -v \"$2\")\" >&3; }")
        s.append(ProbeStats.helpers())
        s.append(RootCheck.helpers())
        s.append(cleanupHelper())
        s.append(ArchiveStat.shaHelper())
        s.append(bookkeepingHelpers())
        s.append(LockProgram.holderHelper())
        return s
    }

    /// Transfers the cleanup file as base64 (`RootCheck` has made sure it is one of ours): its
    /// bytes exactly, NULs included, at a fraction of what `od` costs on a large one.
    static func cleanupHelper() -> ShellScript {
        var s = ShellScript()
        s.line("t_cleanup() {")
        s.line("  [ -f \"$1\" ] || return 0")
        s.line("  base64 -w 76 -- \"$1\" | sed 's/^/@fact cleanup-b64 /' >&3")
        s.line("  printf '@fact cleanup-size %s\\n' \"$(wc -c < \"$1\" | tr -d ' ')\" >&3")
        s.line("}")
        // Checked like every record it reads back (a link or another user's file stops the probe).
        s.line("t_install_stat() {")
        s.line("  t_check \"$1\" record")
        s.line("  [ -f \"$1\" ] || return 0")
        s.line("  sed 's/^/@fact install-stat /' -- \"$1\" >&3")
        s.line("}")
        return s
    }

    /// Last-successful file, deployment directories and free space.
    static func bookkeepingHelpers() -> ShellScript {
        var s = ShellScript()
        s.comment("t_last FILE GROUP_DIR: the record must name a deployment directory of this group.")
        s.line("t_last() {")
        s.line("  [ -f \"$1\" ] || return 0")
        s.line("  d=$(cat -- \"$1\") || return 0")
        s.line("  case ${d#\"$2\"/} in")
        s.line("    \"$d\"|''|*/*|.|..) t_show \"$1\"")
        s.line(
            "      t_fail root \"the last successful install record $t_shown names a directory outside the group's: check it, then remove it\" ;;"
        )
        s.line("  esac")
        s.line("  printf '@fact last-successful-hex %s\\n' \"$(printf '%s' \"$d\" | t_hex)\" >&3")
        s.line("  if [ -d \"$d\" ] && [ ! -L \"$d\" ]; then e=yes; else e=no; fi")
        s.line("  printf '@fact last-successful-exists %s\\n' \"$e\" >&3")
        s.line("  [ \"$e\" = yes ] || return 0")
        s.comment("A revision whose files others could change (an older tarmac kept the bundle's modes).")
        s.line("  u=$(find \"$d\" ! -type l \\( -perm /022 -o ! -user \"$t_uid\" \\) -print -quit 2>/dev/null)")
        s.line(
            "  [ -z \"$u\" ] || printf '@fact last-successful-unsafe %s\\n' \"$(printf '%s' \"${u#\"$d\"/}\" | t_hex)\" >&3"
        )
        s.comment("The base a delta can start from: its manifest's digest.")
        s.line("  t_sha_of \"$d/deployment-archive/.tarmac/manifest.sha256\"")
        s.line("  [ -z \"$t_sha\" ] || printf '@fact base-manifest-sha256 %s\\n' \"$t_sha\" >&3")
        s.line("}")
        // One stat and one od for all entries; one of each per entry when one vanished meanwhile.
        s.line("t_deployments() {")
        s.line("  [ -d \"$1\" ] || return 0")
        s.line("  t_dd=$1; shift")
        s.line("  for d in \"$t_dd\"/* \"$t_dd\"/.[!.]* \"$t_dd\"/..?*; do")
        s.line("    [ -e \"$d\" ] || [ -L \"$d\" ] || continue")
        s.line("    set -- \"$@\" \"$d\"")
        s.line("  done")
        s.line("  [ $# -gt 0 ] || return 0")
        s.line("  if t_ms=$(stat -c %Y -- \"$@\" 2>/dev/null); then")
        s.line("    printf '@fact deployment-mtimes %s\\n' \"$(printf '%s ' $t_ms)\" >&3")
        s.line(
            "    printf '@fact deployment-names %s\\n' \"$(for d do printf '%s\\000' \"${d##*/}\"; done | t_hex)\" >&3"
        )
        s.line("    return 0")
        s.line("  fi")
        s.line("  for d do")
        s.line("    m=$(stat -c %Y -- \"$d\") || continue")
        s.line("    printf '@fact deployment %s %s\\n' \"$m\" \"$(printf '%s' \"${d##*/}\" | t_hex)\" >&3")
        s.line("  done")
        s.line("}")
        s.line("t_free() {")
        s.line("  p=$1")
        s.line("  while [ ! -e \"$p\" ]; do p=${p%/*}; [ -n \"$p\" ] || p=/; done")
        s.line("  f=$(df -k --output=avail -- \"$p\" | tail -n 1 | tr -d ' ') || return 0")
        s.line("  printf '@fact free-kib %s\\n' \"$f\" >&3")
        s.line("}")
        return s
    }
}
