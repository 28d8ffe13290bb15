/// `tarmac verify` on one host, in one program: checks the deployment root and the group's
/// installed record (`InstalledRecord`), prints the record, then compares every entry with the
/// host and lists what the destinations hold besides. Read-only. Paths are never printed,
/// except the extra ones, as hex.
///
///     @fact norecord                 the group has no installed record
///     @fact rec 74 5f 64 …           the record's bytes
///     @fact drift <index> content | mode <now> | owner <uid>:<gid> | type
///     @fact missing <index>
///     @fact extra 2f 6f 70 …         NUL-terminated paths found below the destinations
///
/// A file's content is hashed only when its size and mtime do not settle it (same size, other
/// mtime), or always with `full`.
public enum DriftProgram {
    public static func render(layout: HostLayout, full: Bool) -> ShellScript {
        let record = layout.installedFile
        var s = Bookkeeping.prelude("compare the installed files of \(layout.groupID) with their record (read-only)")
        s.reuseName = "\(layout.groupID).drift"
        s.append(RootCheck.helpers())
        s.run("t_chain", .quoted(layout.root))
        s.run(RootCheck.checks([(layout.instructions, "directory"), (record, "record")]))
        s.ifThen(["[", "!", "-f", .quoted(record), "]"]) { s in
            s.line("printf '@fact norecord\\n' >&3")
            Bookkeeping.finish(&s)
            s.line("exit 0")
        }
        s.run("od", "-An", "-v", "-tx1", "--", .quoted(record), "|", "sed", "'s/^/@fact rec/'", ">&3")
        if full { s.line("t_full=1") } else { s.line("t_full=0") }
        s.append(helpers())
        s.run(".", .quoted(record))
        Bookkeeping.finish(&s)
        return s
    }

    /// `t_dest DIR`, `t_f`, `t_l`, `t_d`: what each record line does when the record is read.
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_drift() { printf '@fact drift %s %s\\n' \"$1\" \"$2\" >&3; }")
        s.line("t_gone() { printf '@fact missing %s\\n' \"$1\" >&3; }")
        s.line("t_dest() {")
        s.line("  [ -d \"$1\" ] || return 0")
        s.line("  find \"$1\" -xdev -mindepth 1 -print0 2>/dev/null | od -An -v -tx1 | sed 's/^/@fact extra/' >&3")
        s.line("}")
        // Each entry's index is its position, counted here (`t_next`); a record of an earlier
        // version also names it first on each line, and that word is dropped.
        s.line("t_di=0")
        s.line("t_next() { t_i=$t_di; t_di=$((t_di + 1)); }")
        s.comment("t_f PATH SHA256 MODE UID GID SIZE MTIME")
        s.line("t_f() {")
        s.line("  if [ \"$#\" -eq 8 ]; then shift; fi")
        s.line("  t_next")
        s.line("  if [ -L \"$1\" ]; then t_drift \"$t_i\" type; return 0; fi")
        s.line("  if [ ! -e \"$1\" ]; then t_gone \"$t_i\"; return 0; fi")
        s.line("  if [ ! -f \"$1\" ]; then t_drift \"$t_i\" type; return 0; fi")
        s.line("  t_s=$(stat -c '%a %u %g %s %Y' -- \"$1\") || { t_gone \"$t_i\"; return 0; }")
        s.line("  set -- \"$@\" $t_s")
        s.line("  [ \"$8\" = \"$3\" ] || t_drift \"$t_i\" \"mode $8\"")
        s.line("  [ \"$9:${10}\" = \"$4:$5\" ] || t_drift \"$t_i\" \"owner $9:${10}\"")
        s.line("  if [ \"${11}\" != \"$6\" ]; then t_drift \"$t_i\" content; return 0; fi")
        s.line("  [ \"$t_full\" = 1 ] || [ \"${12}\" != \"$7\" ] || return 0")
        s.line("  t_sum=$(sha256sum < \"$1\") || t_sum=")
        s.line("  [ \"${t_sum%% *}\" = \"$2\" ] || t_drift \"$t_i\" content")
        s.line("}")
        s.comment("t_l PATH TARGET")
        s.line("t_l() {")
        s.line("  if [ \"$#\" -eq 3 ]; then shift; fi")
        s.line("  t_next")
        s.line(
            "  if [ ! -L \"$1\" ]; then if [ -e \"$1\" ]; then t_drift \"$t_i\" type; else t_gone \"$t_i\"; fi; return 0; fi"
        )
        s.line("  [ \"$(readlink -- \"$1\")\" = \"$2\" ] || t_drift \"$t_i\" content")
        s.line("}")
        s.comment("t_d PATH MODE UID GID")
        s.line("t_d() {")
        s.line("  if [ \"$#\" -eq 5 ]; then shift; fi")
        s.line("  t_next")
        s.line("  if [ -L \"$1\" ] || { [ -e \"$1\" ] && [ ! -d \"$1\" ]; }; then t_drift \"$t_i\" type; return 0; fi")
        s.line("  if [ ! -d \"$1\" ]; then t_gone \"$t_i\"; return 0; fi")
        s.line("  t_s=$(stat -c '%a %u %g' -- \"$1\") || { t_gone \"$t_i\"; return 0; }")
        s.line("  set -- \"$@\" $t_s")
        s.line("  [ \"$5\" = \"$2\" ] || t_drift \"$t_i\" \"mode $5\"")
        s.line("  [ \"$6:$7\" = \"$3:$4\" ] || t_drift \"$t_i\" \"owner $6:$7\"")
        s.line("}")
        return s
    }

    /// `t_stat INDEX PATH`, for the record made at the end of a deployment: `@fact st INDEX f
    /// MODE UID GID SIZE MTIME`, `… d MODE UID GID` or `… l`; nothing for a path that is gone.
    static func statHelper() -> ShellScript {
        var s = ShellScript()
        s.line("t_stat() {")
        s.line("  if [ -L \"$2\" ]; then printf '@fact st %s l\\n' \"$1\" >&3")
        s.line(
            "  elif [ -f \"$2\" ]; then printf '@fact st %s f %s\\n' \"$1\" \"$(stat -c '%a %u %g %s %Y' -- \"$2\")\" >&3"
        )
        s.line("  elif [ -d \"$2\" ]; then printf '@fact st %s d %s\\n' \"$1\" \"$(stat -c '%a %u %g' -- \"$2\")\" >&3")
        s.line("  fi")
        s.line("}")
        // `t_stats_of FIRST PATH…`: the same facts for a batch from one stat, which prints no
        // names (any name is safe): `@fact stb FIRST COUNT`, then one `@fact stl` per path, raw
        // mode first (a fork per path made the record cost seconds on a big tree). When stat
        // cannot answer for every path (one went), the batch is split in halves, each asked
        // again, down to 8 paths done one by one: a gone path costs about 2·log2(batch) stats.
        // The halves are passed by position (`"${3}" "${4}" …`, never a path's text) through
        // eval; the function's own positional parameters hold its state across the recursion.
        s.line("t_stats_of() {")
        s.line("  t_i=$1; shift")
        s.line("  if t_out=$(stat --printf '@fact stl %f %a %u %g %s %Y\\n' -- \"$@\" 2>/dev/null); then")
        s.line("    printf '@fact stb %s %s\\n' \"$t_i\" \"$#\" >&3")
        s.line("    printf '%s\\n' \"$t_out\" >&3")
        s.line("    return 0")
        s.line("  fi")
        s.line("  if [ \"$#\" -le 8 ]; then")
        s.line("    for t_p do t_stat \"$t_i\" \"$t_p\"; t_i=$((t_i + 1)); done")
        s.line("    return 0")
        s.line("  fi")
        s.line("  t_h=$(($# / 2)) t_a= t_k=3")
        s.line("  while [ \"$t_k\" -le $((t_h + 2)) ]; do t_a=\"$t_a \\\"\\${$t_k}\\\"\"; t_k=$((t_k + 1)); done")
        s.line("  set -- \"$t_i\" \"$t_h\" \"$@\"")
        s.line("  eval \"t_stats_of \\\"\\$1\\\"$t_a\"")
        s.line("  t_i=$(($1 + $2)) t_h=$2; shift 2; shift \"$t_h\"")
        s.line("  t_stats_of \"$t_i\" \"$@\"")
        s.line("}")
        return s
    }
}
