/// The shell functions `DeltaProgram` calls; fixed text, no data. Paths reach them in
/// batches (`ArchiveStat.listFunction`), relative to the current directory.
enum DeltaProgramShell {
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_uid=$(id -u) t_linked= t_tmpd=")
        s.append(fallback())
        s.append(comparison())
        s.append(baseCheck())
        s.append(rebuild())
        s.append(verification())
        return s
    }

    /// `t_fallback REASON`: the base cannot be used; what was begun is removed.
    static func fallback() -> ShellScript {
        var s = ShellScript()
        s.comment("t_fallback REASON: one line without control characters; the archive begun is removed.")
        s.line("t_fallback() {")
        s.line("  t_why=$(printf '%s' \"$1\" | tr '\\001-\\037\\177' '[?*]' | cut -c 1-600)")
        s.line("  cd /")
        s.line("  rm -rf -- \"$t_archive\"")
        s.line("  [ -z \"$t_linked\" ] || t_rebase")
        s.line("  [ -z \"$t_drop_bundle\" ] || rm -f -- \"$t_bundle\"")
        s.line("  [ -z \"$t_tmpd\" ] || rm -rf -- \"$t_tmpd\"")
        s.line("  printf '@fallback %s\\n' \"$t_why\" >&3")
        s.line("  printf '@done 1\\n' >&3")
        s.line("  exit 1")
        s.line("}")
        s.line("t_scratch() {")
        s.line("  t_tmpd=$(mktemp -d -- \"$t_dir/.delta.XXXXXX\") ||")
        s.line("    t_fail base 'cannot create a scratch directory' \"$t_dir\"")
        s.line("}")
        return s
    }

    /// `t_first_diff A B` (the first line that differs, 0 when none), `t_pick LIST N`
    /// (the Nth path of a list function, in `t_picked`), `t_expect TEXT` (the expected lines).
    static func comparison() -> ShellScript {
        var s = ShellScript()
        s.line("t_first_diff() {")
        s.line("  t_line=0")
        s.line("  cmp -s -- \"$1\" \"$2\" && return 0")
        s.line("  t_line=1")
        s.line("  { t_line=0")
        s.line("    while :; do")
        s.line("      t_line=$((t_line + 1)) t_ea= t_eb=")
        s.line("      IFS= read -r t_a <&4 || t_ea=1")
        s.line("      IFS= read -r t_b <&5 || t_eb=1")
        s.line("      [ -z \"$t_ea$t_eb\" ] || break")
        s.line("      [ \"$t_a\" = \"$t_b\" ] || break")
        s.line("    done; } 4< \"$1\" 5< \"$2\"")
        s.line("}")
        s.line(
            "t_pick_add() { for t_p do t_k=$((t_k + 1)); [ \"$t_k\" -ne \"$t_want\" ] || t_picked=${t_p#./}; done; }")
        s.line("t_pick() { t_want=$2 t_k=0 t_picked=; \"$1\" t_pick_add; }")
        s.line("t_expect() {")
        s.line("  printf '%s' \"$1\" > \"$t_tmpd/want\" && : > \"$t_tmpd/got\" ||")
        s.line("    t_fail unpack 'cannot write a scratch file' \"$t_tmpd\"")
        s.line("  t_out=$t_tmpd/got")
        s.line("}")
        return s
    }

    /// `t_base_check`: the base's record, its owner and mode, and a fresh stat equal to it.
    static func baseCheck() -> ShellScript {
        var s = ShellScript()
        s.line("t_base_check() {")
        s.line("  [ -d \"$t_base_archive\" ] && [ ! -L \"$t_base\" ] && [ ! -L \"$t_base_archive\" ] ||")
        s.line("    t_fallback 'the base deployment directory or its deployment-archive is gone'")
        s.line("  [ -e \"$t_base_record\" ] || [ -L \"$t_base_record\" ] ||")
        s.line("    t_fallback 'the base has no archive stat record (archive.stat)'")
        s.line(
            "  t_st=$(stat -c '%u %A' -- \"$t_base_record\") || t_fallback 'cannot stat the base archive stat record'")
        s.line("  case $t_st in")
        s.line("    \"$t_uid \"-????[!w]??[!w]?) ;;")
        s.line(
            "    *) t_fallback \"the base archive stat record is not a regular file of uid $t_uid that no one else can write (uid and mode: $t_st)\" ;;"
        )
        s.line("  esac")
        s.line("  cd -- \"$t_base_archive\" || t_fallback 'cannot enter the base deployment-archive'")
        s.line("  t_out=$t_tmpd/base t_stat_bad=")
        s.line("  printf '%s %s\\n' 'tarmac-archive-stat 1' \"$t_base_sha\" > \"$t_out\" ||")
        s.line("    t_fail base 'cannot write a scratch file' \"$t_out\"")
        s.line("  t_base_files t_stat_add")
        s.line("  cd /")
        s.line("  t_first_diff \"$t_base_record\" \"$t_out\"")
        s.line("  [ \"$t_line\" -ne 0 ] || { printf '@step base ok\\n' >&3; return 0; }")
        s.line(
            "  [ \"$t_line\" -ne 1 ] || t_fallback 'the base archive stat record is of another manifest than the one the delta was made from'"
        )
        s.line("  [ \"$t_line\" -le $((t_base_count + 1)) ] ||")
        s.line("    t_fallback 'the base archive stat record lists more files than the base manifest'")
        s.line("  t_pick t_base_files $((t_line - 1))")
        s.line(
            "  t_fallback \"base file $t_picked changed since its archive stat record was written (written in place, replaced, removed or its mode changed)\""
        )
        s.line("}")
        return s
    }

    /// `t_link`, `t_remove`, `t_rmdir`, `t_extract`, `t_modes`, `t_modes_rest`, `t_rebase`.
    static func rebuild() -> ShellScript {
        var s = ShellScript()
        s.line("t_link() {")
        s.line("  rm -rf -- \"$t_archive\" && mkdir -m 0700 -- \"$t_archive\" ||")
        s.line("    t_fail unpack 'cannot wipe deployment-archive' \"$t_archive\"")
        s.line("  t_linked=1")
        s.line("  t_err=$(cp -al -- \"$t_base_archive/.\" \"$t_archive/\" 2>&1) ||")
        s.line("    t_fallback \"cannot link the base archive's files: $t_err\"")
        s.line("  cd -- \"$t_archive\" && rm -rf -- ./.tarmac ||")
        s.line("    t_fallback 'cannot remove the base manifest from the linked copy'")
        s.line("}")
        s.line(
            "t_remove() { rm -f -- \"$@\" || t_fallback 'cannot remove the files the target changes from the linked copy'; }"
        )
        s.line(
            "t_rmdir() { rmdir -- \"$@\" || t_fallback 'a directory the target drops holds files the base manifest does not list'; }"
        )
        s.line("t_extract() {")
        s.line("  t_err=$(tar -x -p --no-same-owner -f \"$t_bundle\" -C \"$t_archive\" 2>&1) && return 0")
        s.line("  if t_disk_full \"$t_err\" || t_short_write \"$t_err\"; then")
        s.line("    t_fallback \"no space left on device while unpacking the delta ($t_need bytes needed): $t_err\"")
        s.line("  fi")
        s.line("  t_fallback \"tar could not unpack the delta over the base's files: $t_err\"")
        s.line("}")
        s.comment("Only new inodes: the delta's files (-prune: a path is never descended), directories, .tarmac.")
        s.line("t_modes() {")
        s.line("  find \"$@\" -prune -type f -perm /6022 -exec chmod go-w,ug-s -- {} + ||")
        s.line("    t_fallback \"cannot set the modes of the delta's files\"")
        s.line("}")
        // The directories' modes are set by `t_shape`, which walks the tree anyway.
        s.line("t_modes_rest() {")
        s.line("  { [ ! -d ./.tarmac ] || find ./.tarmac -type f -perm /6022 -exec chmod go-w,ug-s -- {} +; } &&")
        s.line("    chmod 0700 -- \"$t_archive\" || t_fallback 'cannot set the modes of the rebuilt archive'")
        s.line("}")
        s.append(rebase())
        return s
    }

    /// `t_rebase`: the base's record rewritten from a fresh stat, only when that differs from
    /// the one step 3 checked in the ctimes alone (which linking and unlinking change).
    static func rebase() -> ShellScript {
        var s = ShellScript()
        s.line("t_rebase() {")
        s.line("  t_linked=")
        s.line(
            "  cd -- \"$t_base_archive\" && t_out=$(mktemp -- \"$t_base/.archive.stat.XXXXXX\") || { cd /; return 0; }")
        s.line("  t_stat_bad=")
        s.line("  printf '%s %s\\n' 'tarmac-archive-stat 1' \"$t_base_sha\" > \"$t_out\" || t_stat_bad=1")
        s.line("  t_base_files t_stat_add")
        s.line("  cd /")
        s.line("  if [ -z \"$t_stat_bad\" ] && cut -d ' ' -f 1-3,5- < \"$t_out\" > \"$t_tmpd/now\" &&")
        s.line(
            "    cut -d ' ' -f 1-3,5- < \"$t_tmpd/base\" > \"$t_tmpd/then\" && cmp -s -- \"$t_tmpd/now\" \"$t_tmpd/then\" &&"
        )
        s.line("    mv -fT -- \"$t_out\" \"$t_base_record\"; then return 0; fi")
        s.line("  rm -f -- \"$t_out\"")
        s.line("}")
        return s
    }

    /// `t_sum_add`, `t_both_add`, `t_check_sent`, `t_check_kinds`, `t_record_both`,
    /// `t_shape COUNTS WHAT`.
    static func verification() -> ShellScript {
        var s = ShellScript()
        s.comment("sha256sum escapes an odd name with a leading backslash: only the 64 digits are kept.")
        s.line("t_sum_add() { sha256sum -- \"$@\" | sed 's/^\\\\//' | cut -c 1-64 >> \"$t_out\"; }")
        s.comment("One stat of the target's files gives both the kinds checked and the archive stat record.")
        s.line("t_both_add() { stat -c '%f %s %i %s %.9Y %.9Z %a %u %g' -- \"$@\" >> \"$t_tmpd/both\"; }")
        s.line("t_check_sent() {")
        s.line("  t_first_diff \"$t_tmpd/want\" \"$t_tmpd/got\"")
        s.line("  [ \"$t_line\" -ne 0 ] || return 0")
        s.line("  t_pick t_sent_files \"$t_line\"")
        s.line(
            "  t_fallback \"the delta's file $t_picked does not have the SHA-256 the target manifest names\""
        )
        s.line("}")
        s.line("t_check_kinds() {")
        s.line("  cut -d ' ' -f 1-2 < \"$t_tmpd/both\" > \"$t_tmpd/got\" ||")
        s.line("    t_fail unpack 'cannot write a scratch file' \"$t_tmpd\"")
        s.line("  t_first_diff \"$t_tmpd/want\" \"$t_tmpd/got\"")
        s.line("  [ \"$t_line\" -ne 0 ] || return 0")
        s.line("  t_pick t_target_files \"$t_line\"")
        s.line(
            "  t_fallback \"the rebuilt archive's file $t_picked is not a regular file of the size and mode the target manifest names\""
        )
        s.line("}")
        s.comment("t_record_both: the new archive's stat record, from the stat t_check_kinds read.")
        s.line("t_record_both() {")
        s.line("  t_record_begin")
        s.line("  cut -d ' ' -f 3- < \"$t_tmpd/both\" >> \"$t_out\" || t_stat_bad=1")
        s.line("  t_record_end")
        s.line("}")
        s.comment("t_kinds: the entries here but .tarmac/, by kind (\"3d 5f 2l \"); a directory group or others")
        s.comment("may write, or setuid or setgid, counts as \"w\".")
        s.line("t_kinds() {")
        s.line("  t_got=$(find . -path ./.tarmac -prune -o -type d -perm /6022 -printf 'w\\n' -o -printf '%y\\n' |")
        s.line("    sort | uniq -c | while read -r t_c t_y; do printf '%s%s ' \"$t_c\" \"$t_y\"; done) ||")
        s.line("    t_got=unknown")
        s.line("}")
        s.comment("t_shape COUNTS WHAT: the kinds must be COUNTS, once the directories' modes are set (only")
        s.comment("directories cp and tar made: a chmod on a linked inode would change the base's ctime).")
        s.line("t_shape() {")
        s.line("  t_kinds")
        s.line("  case \" $t_got\" in")
        s.line("    *[0-9]w' '*)")
        s.line("      find . -type d -perm /6022 -exec chmod go-w,ug-s -- {} + ||")
        s.line("        t_fallback 'cannot set the modes of the rebuilt archive'")
        s.line("      t_kinds ;;")
        s.line("  esac")
        s.line("  [ \"$t_got\" = \"$1\" ] || t_fallback \"$2 (entries by kind: $t_got where the manifest has $1)\"")
        s.line("}")
        return s
    }
}
