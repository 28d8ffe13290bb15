extension InstallProgram {
    /// The shell functions the install program calls; fixed text, no data. Each takes the
    /// step's index first, so a failure can name it without printing the path.
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.append(recordHelpers())
        s.append(removalHelpers())
        s.append(placementHelpers())
        s.append(permissionHelpers())
        return s
    }

    /// Appending to the new cleanup file (§4.8 format).
    static func recordHelpers() -> ShellScript {
        var s = ShellScript()
        s.line(
            "t_append() { printf \"$1\" \"$2\" >> \"$t_cleanup\" || t_fail cleanup-file 'cannot append to the cleanup file' \"$t_cleanup\"; }"
        )
        s.line("t_record() { t_append '%s\\n' \"$1\"; }")
        s.line("t_record_escaped() { t_append 'escaped\\000%s\\n' \"$1\"; }")
        s.line("t_record_label() { t_append 'semanage\\000%s\\n' \"$1\"; }")
        return s
    }

    /// Removal rules of §4.8: unlink links, ignore missing, rmdir empty directories only.
    static func removalHelpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_remove_batch() {")
        s.line("  t_i=$1; shift")
        s.line(
            "  t_err=$(for t_p; do if [ -L \"$t_p\" ] || { [ -e \"$t_p\" ] && [ ! -d \"$t_p\" ]; }; then printf '%s\\0' \"$t_p\"; fi; done |"
        )
        s.line("    xargs -0 -r rm -f -- 2>&1) ||")
        s.line("    t_fail \"remove:$t_i\" \"cannot remove paths from #$t_i on of the previous install\" \"$t_err\"")
        s.line("  for t_p; do")
        s.line("    if [ -d \"$t_p\" ] && [ ! -L \"$t_p\" ]; then")
        s.line("      rmdir -- \"$t_p\" 2>/dev/null || [ -n \"$(ls -A -- \"$t_p\" 2>/dev/null)\" ] ||")
        s.line(
            "        t_fail \"remove:$t_i\" \"cannot remove a directory of the previous install (from #$t_i on)\" \"$t_p\""
        )
        s.line("    fi")
        s.line("  done")
        s.line("}")
        s.line("t_unlabel() { semanage fcontext -d -- \"$1\" >/dev/null 2>&1 || :; }")
        return s
    }

    /// Directories, atomic copies and atomic symlinks.
    static func placementHelpers() -> ShellScript {
        var s = ShellScript()
        // Fast path for directories none of which exists yet; status 1 (nothing made) sends the
        // caller to t_mkdir one by one, which records only what it made itself.
        s.line("t_mkdir_batch() {")
        s.line("  t_i=$1; shift")
        s.line("  for t_p; do if [ -e \"$t_p\" ] || [ -L \"$t_p\" ]; then return 1; fi; done")
        s.line("  mkdir -m 0755 -- \"$@\" 2>\"$t_errf\" && return 0")
        s.line("  t_err=$(cat -- \"$t_errf\")")
        s.line(
            "  if t_disk_full \"$t_err\"; then t_fail \"mkdir:$t_i\" \"the disk is full: cannot create directories from #$t_i on\" \"$t_err\"; fi"
        )
        s.line("  t_fail \"mkdir:$t_i\" \"cannot create directories from #$t_i on\" \"$t_err\"")
        s.line("}")
        s.line("t_mkdir() {")
        s.line("  mkdir -m 0755 -- \"$2\" 2>\"$t_errf\" && return 0")
        s.line("  if [ -d \"$2\" ] && [ ! -L \"$2\" ]; then return 1; fi")
        s.line("  t_fail \"mkdir:$1\" \"cannot create directory #$1\" \"$(cat -- \"$t_errf\")\"")
        s.line("}")
        s.line("t_unplace() {")
        s.line("  [ ! -d \"$2\" ] || [ -L \"$2\" ] || rmdir -- \"$2\" ||")
        s.line("    t_fail \"copy:$1\" \"a non-empty directory is where file #$1 must go\" \"$2\"")
        s.line("}")
        s.line("t_placed() {")
        s.line("  [ \"$1\" -eq 0 ] && return 0")
        s.line("  rm -f -- \"$4\"")
        s.line(
            "  if t_disk_full \"$t_err\"; then t_fail \"$2\" \"the disk is full: cannot place file #$3\" \"$t_err\"; fi"
        )
        s.line("  t_fail \"$2\" \"cannot place file #$3\" \"$t_err\"")
        s.line("}")
        s.line("t_copy() {")
        s.line("  rm -f -- \"$4\"")
        s.line(
            "  t_err=$(cp -pT -- \"$t_archive/$2\" \"$4\" 2>&1 && chmod \"$5\" \"$4\" 2>&1 && mv -Tf -- \"$4\" \"$3\" 2>&1)"
        )
        s.line("  t_placed \"$?\" \"copy:$1\" \"$1\" \"$4\"")
        s.line("}")
        s.line("t_copy_batch() {")
        s.line("  t_i=$1; t_s=$2; t_d=$3; shift 3")
        s.line("  (cd -- \"$t_archive/$t_s\" && cp -p --parents -t \"$t_d\" -- \"$@\") 2>\"$t_errf\" && return 0")
        s.line("  t_err=$(cat -- \"$t_errf\")")
        s.line(
            "  if t_disk_full \"$t_err\"; then t_fail \"copy:$t_i\" \"the disk is full: cannot copy files from #$t_i on\" \"$t_err\"; fi"
        )
        s.line("  t_fail \"copy:$t_i\" \"cannot copy files from #$t_i on\" \"$t_err\"")
        s.line("}")
        s.line("t_chmod_batch() {")
        s.line("  t_i=$1; t_m=$2; shift 2")
        s.line(
            "  chmod \"$t_m\" -- \"$@\" 2>\"$t_errf\" || t_fail \"copy:$t_i\" \"cannot set the mode of files from #$t_i on\" \"$(cat -- \"$t_errf\")\""
        )
        s.line("}")
        s.line("t_link() {")
        s.line("  rm -f -- \"$4\"")
        s.line("  t_err=$(ln -s -- \"$2\" \"$4\" 2>&1 && mv -Tf -- \"$4\" \"$3\" 2>&1)")
        s.line("  t_placed \"$?\" \"link:$1\" \"$1\" \"$4\"")
        s.line("}")
        return s
    }

    /// chown, chgrp, chmod, setfacl and SELinux labels, never through a symlink.
    static func permissionHelpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_perm() {")
        s.line("  if [ -L \"$2\" ]; then")
        s.line(
            "    t_note \"permission entry #$1 names a symlink; tarmac never changes permissions through a link; skipped\""
        )
        s.line("    return 1")
        s.line("  fi")
        s.line(
            "  [ -e \"$2\" ] || t_fail \"permission:$1\" \"permission entry #$1 names a path that does not exist\" \"$2\""
        )
        s.line("}")
        s.line(
            "t_chown() { t_err=$(chown -- \"$2\" \"$3\" 2>&1) || t_fail \"chown:$1\" \"chown failed on permission entry #$1\" \"$t_err\"; }"
        )
        s.line(
            "t_chgrp() { t_err=$(chgrp -- \"$2\" \"$3\" 2>&1) || t_fail \"chgrp:$1\" \"chgrp failed on permission entry #$1\" \"$t_err\"; }"
        )
        s.line(
            "t_chmod() { t_err=$(chmod \"$2\" \"$3\" 2>&1) || t_fail \"chmod:$1\" \"chmod failed on permission entry #$1\" \"$t_err\"; }"
        )
        s.line(
            "t_setfacl() { t_err=$(setfacl --set \"$2\" -- \"$3\" 2>&1) || t_fail \"setfacl:$1\" \"setfacl failed on permission entry #$1\" \"$t_err\"; }"
        )
        s.line("t_label() {")
        s.line("  t_i=$1 t_p=$2; shift 2")
        s.line(
            "  semanage fcontext -a \"$@\" -- \"$t_p\" >/dev/null 2>&1 || t_err=$(semanage fcontext -m \"$@\" -- \"$t_p\" 2>&1) ||"
        )
        s.line("    t_fail \"selinux:$t_i\" \"semanage fcontext failed on permission entry #$t_i\" \"$t_err\"")
        s.line(
            "  t_err=$(restorecon -F -- \"$t_p\" 2>&1) || t_fail \"selinux:$t_i\" \"restorecon failed on permission entry #$t_i\" \"$t_err\""
        )
        s.line("}")
        return s
    }

    /// What went wrong, from the program's lines: the failed step's path (looked up by the index
    /// the program printed) and its note. Nil when no step failed.
    public static func failure(in lines: [ProgramLine], plan: InstallPlan) -> PlanProblem? {
        var failed: String?
        var note = ""
        for line in lines {
            switch line {
            case .step(let name, "failed"): failed = name
            case .note(let text) where failed != nil && note.isEmpty: note = text
            default: break
            }
        }
        guard let failed else { return nil }
        let parts = failed.split(separator: ":", maxSplits: 1)
        let index = parts.count == 2 ? Int(parts[1]) : nil
        return PlanProblem(
            path: path(kind: parts.first.map(String.init) ?? "", index: index, plan: plan), message: note)
    }

    static func path(kind: String, index: Int?, plan: InstallPlan) -> String {
        guard let index else { return kind }
        switch kind {
        case "remove": return plan.removals.indices.contains(index) ? plan.removals[index] : kind
        case "copy", "link", "mkdir":
            guard plan.steps.indices.contains(index) else { return kind }
            switch plan.steps[index] {
            case .makeDirectory(let path), .retain(let path): return path
            case .copyFile(_, let path, _, _), .symlink(_, let path, _): return path
            }
        default:
            return plan.permissions.indices.contains(index) ? plan.permissions[index].path : kind
        }
    }
}
