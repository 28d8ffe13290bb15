extension InstallProgram {
    /// The shell functions the install program calls; fixed text, no data. Each takes the
    /// step's index first, so a failure can name it without printing the path.
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.append(recordHelpers())
        s.append(walkHelpers())
        s.append(removalHelpers())
        s.append(placementHelpers())
        s.append(stageHelpers())
        s.append(treeHelpers())
        s.append(permissionHelpers())
        s.append(keepHelpers())
        s.append(InstallStatRecord.helpers())
        return s
    }

    /// Appending to the new cleanup file (§4.8 format).
    static func recordHelpers() -> ShellScript {
        var s = ShellScript()
        s.line(
            "t_append() { printf \"$1\" \"$2\" >> \"$t_cleanup\" || t_fail cleanup-file 'cannot append to the cleanup file' \"$t_cleanup\"; }"
        )
        s.line("t_record() { t_append '%s\\n' \"$1\"; }")
        // Many at once: one open of the cleanup file for a whole batch, not one per path.
        s.line(
            "t_records() { printf '%s\\n' \"$@\" >> \"$t_cleanup\" || t_fail cleanup-file 'cannot append to the cleanup file' \"$t_cleanup\"; }"
        )
        s.line("t_record_escaped() { t_append 'escaped\\000%s\\n' \"$1\"; }")
        s.line("t_record_label() { t_append 'semanage\\000%s\\n' \"$1\"; }")
        return s
    }

    /// Entering a directory without following a link a non-root user could have planted.
    ///
    /// `t_in DIR` walks from `/` one component at a time with `cd -P`. A link is followed only
    /// when the directory holding it is owned by root (or the user the program runs as) and
    /// writable by no one else (only they can have put it there: `/bin` on merged-/usr systems, an operator's `/srv/current`).
    /// Every other step must land exactly on `$PWD/name`; if the name was a link, or was
    /// swapped for one while being entered, `$PWD` (the kernel's own path of the new working
    /// directory) says so. Once in, the working directory is that inode whatever happens to
    /// the names above it. Status 1: missing or not a directory; 2: a link or a move.
    static func walkHelpers() -> ShellScript {
        var s = ShellScript()
        s.line("unset CDPATH")
        s.line("t_uid=$(id -u)")
        s.line(
            "t_trusted() { case $(stat -c %u:%a -- . 2>/dev/null) in 0:*[0145][0145] | \"$t_uid\":*[0145][0145]) return 0 ;; esac; return 1; }"
        )
        s.line("t_in() {")
        s.line("  cd -P / || return 1")
        s.line("  t_rest=$1")
        s.line("  while :; do")
        s.line("    t_rest=${t_rest#/}")
        s.line("    [ -n \"$t_rest\" ] || return 0")
        s.line("    case $t_rest in /*) continue ;; esac")
        s.line("    t_c=${t_rest%%/*}; t_rest=${t_rest#\"$t_c\"}; t_was=${PWD%/}")
        s.line("    if [ -h \"./$t_c\" ]; then")
        s.line("      t_trusted || return 2")
        s.line("      cd -P -- \"./$t_c\" 2>/dev/null || return 1")
        s.line("    else")
        s.line("      cd -P -- \"./$t_c\" 2>/dev/null || return 1")
        s.line("      [ \"$PWD\" = \"$t_was/$t_c\" ] || return 2")
        s.line("    fi")
        s.line("  done")
        s.line("}")
        s.line("t_enter() {")
        s.line("  t_in \"$3\" && return 0")
        s.line("  if [ $? -eq 2 ]; then")
        s.line(
            "    t_fail \"$1:$2\" \"the way to the directory of #$2 passes a symlink (or a directory moved while Install ran) in a directory a non-root user can write; tarmac never follows such a link\" \"$3\""
        )
        s.line("  fi")
        s.line("  t_fail \"$1:$2\" \"the directory of #$2 is missing or not a directory\" \"$3\"")
        s.line("}")
        return s
    }

    /// Removal rules of §4.8 (unlink files and links, ignore missing paths, rmdir empty
    /// directories only), inside the entered directory, by last component.
    static func removalHelpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_gone() {")
        s.line("  t_g=$1 t_o=0; shift")
        s.line("  for t_n do")
        s.line("    [ -e \"$t_n\" ] || [ -h \"$t_n\" ] || printf '@step gone:%s.%s ok\\n' \"$t_g\" \"$t_o\" >&3")
        s.line("    t_o=$((t_o + 1))")
        s.line("  done")
        s.line("}")
        s.line(
            "t_empty() { for t_e in \"$1\"/* \"$1\"/.[!.]* \"$1\"/..?*; do if [ -e \"$t_e\" ] || [ -h \"$t_e\" ]; then return 1; fi; done; }"
        )
        s.line("t_remove_in() {")
        s.line("  t_g=$1 t_i=$2; shift 2")
        s.line("  t_in \"$1\"")
        s.line("  case $? in")
        s.line("  0) ;;")
        s.line("  1) printf '@step removed:%s ok\\n' \"$t_g\" >&3; return 0 ;;")
        s.line(
            "  *) t_note \"the directory of the previous install's path #$t_i is reached through a symlink (or moved) in a directory a non-root user can write; tarmac never follows it, and leaves what is there\""
        )
        s.line("     printf '@step removed:%s ok\\n' \"$t_g\" >&3; return 0 ;;")
        s.line("  esac")
        s.line("  shift")
        // rm -d takes files, links and empty directories alike, never following a link; what
        // is left must be a directory with something in it (kept, §4.8), else it is a failure.
        s.line("  rm -f -d -- \"$@\" 2>\"$t_errf\" && { printf '@step removed:%s ok\\n' \"$t_g\" >&3; return 0; }")
        s.line("  for t_n do")
        s.line("    if [ -h \"$t_n\" ] || { [ -e \"$t_n\" ] && { [ ! -d \"$t_n\" ] || t_empty \"$t_n\"; }; }; then")
        s.line("      t_gone \"$t_g\" \"$@\"")
        s.line(
            "      t_fail \"remove:$t_i\" \"cannot remove paths from #$t_i on of the previous install\" \"$(cat -- \"$t_errf\")\""
        )
        s.line("    fi")
        s.line("  done")
        s.line("  printf '@step removed:%s ok\\n' \"$t_g\" >&3")
        s.line("}")
        s.line("t_unlabel() { semanage fcontext -d -- \"$1\" >/dev/null 2>&1 || :; }")
        return s
    }
}
