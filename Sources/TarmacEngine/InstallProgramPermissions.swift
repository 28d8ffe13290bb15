extension InstallProgram {
    /// Permission changes in plan order; per path: chown, chmod, setfacl, SELinux label.
    ///
    /// The path is moved into a stage of its directory first (`t_perm_in`), changed there,
    /// where no one else can swap it for a link, and moved back (`t_perm_out`): chmod and
    /// setfacl follow links, so they never run on a name a non-root user can replace.
    static func permissions(_ plan: InstallPlan) -> ShellScript {
        var s = ShellScript()
        s.comment("Permissions: \(plan.permissions.count) paths.")
        for (index, change) in plan.permissions.enumerated() {
            let i = ShellWord.number(index)
            let (directory, name) = InstallGroup.split(change.path)
            let staged = ShellWord.quoted("./" + name)
            s.ifThen(["t_perm_in", i, .quoted(directory), .quoted(name)]) { s in
                switch (change.owner, change.group) {
                case (let owner?, let group?): s.run("t_chown", i, .quoted(owner + ":" + group), staged)
                case (let owner?, nil): s.run("t_chown", i, .quoted(owner), staged)
                case (nil, let group?): s.run("t_chgrp", i, .quoted(group), staged)
                case (nil, nil): break
                }
                if let mode = change.mode { s.run("t_chmod", i, modeWord(mode), staged) }
                if let acl = change.acl { s.run("t_setfacl", i, .quoted(acl.joined(separator: ",")), staged) }
                s.run("t_perm_out", i)
                if let type = change.selinuxType {
                    s.run("t_record_label", .quoted(change.path))
                    var words: [ShellWord] = ["t_label", i, .quoted(change.path)]
                    if let user = change.selinuxUser { words += ["-s", .quoted(user)] }
                    words += ["-t", .quoted(type)]
                    if let range = change.selinuxRange { words += ["-r", .quoted(range)] }
                    s.run(ShellCommand(words))
                }
            }
        }
        s.run("printf", "'@step permissions:%s ok\\n'", .number(plan.permissions.count), ">&3")
        return s
    }
}

extension InstallProgram {
    /// chown, chgrp, chmod, setfacl and SELinux labels, never through a symlink: the path is
    /// renamed into a stage of its directory (rename takes whatever is at the name, link or
    /// not, without following it), checked there, changed, and renamed back.
    static func permissionHelpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_perm_in() {")
        s.line("  t_enter permission \"$1\" \"$2\"")
        s.line("  t_pn=$3")
        s.line("  if [ -h \"./$3\" ]; then t_perm_link \"$1\"; return 1; fi")
        s.line(
            "  [ -e \"./$3\" ] || t_fail \"permission:$1\" \"permission entry #$1 names a path that does not exist\" \"$2/$3\""
        )
        s.line("  t_stage_in permission \"$1\"")
        s.line(
            "  mv -T -- \"../$3\" \"./$3\" 2>\"$t_errf\" || t_abort \"permission:$1\" \"cannot stage the path of permission entry #$1\" \"$(cat -- \"$t_errf\")\""
        )
        s.line("  if [ -h \"./$3\" ]; then t_perm_out \"$1\"; t_perm_link \"$1\"; return 1; fi")
        // A file of this install has one name; another is a hard link planted in its place.
        s.line("  [ -d \"./$3\" ] || [ \"$(stat -c %h -- \"./$3\")\" = 1 ] ||")
        s.line(
            "    t_perm_fail \"permission:$1\" \"the path of permission entry #$1 was replaced by a hard link while Install ran; tarmac does not change it\" \"$2/$3\""
        )
        s.line("}")
        s.line(
            "t_perm_link() { t_note \"permission entry #$1 names a symlink; tarmac never changes permissions through a link; skipped\"; }"
        )
        s.line("t_perm_fail() { mv -T -- \"./$t_pn\" \"../$t_pn\" 2>/dev/null; t_abort \"$@\"; }")
        s.line("t_perm_out() {")
        s.line(
            "  mv -T -- \"./$t_pn\" \"../$t_pn\" 2>\"$t_errf\" || t_abort \"permission:$1\" \"cannot put back the path of permission entry #$1\" \"$(cat -- \"$t_errf\")\""
        )
        s.line(
            "  cd -P .. && rmdir -- \"./$t_stage\" 2>/dev/null || t_note \"a staging directory of Install could not be removed (permission entry #$1)\""
        )
        s.line("  t_stage=")
        s.line("}")
        s.line(
            "t_chown() { t_err=$(chown -h -- \"$2\" \"$3\" 2>&1) || t_perm_fail \"chown:$1\" \"chown failed on permission entry #$1\" \"$t_err\"; }"
        )
        s.line(
            "t_chgrp() { t_err=$(chgrp -h -- \"$2\" \"$3\" 2>&1) || t_perm_fail \"chgrp:$1\" \"chgrp failed on permission entry #$1\" \"$t_err\"; }"
        )
        s.line(
            "t_chmod() { t_err=$(chmod \"$2\" \"$3\" 2>&1) || t_perm_fail \"chmod:$1\" \"chmod failed on permission entry #$1\" \"$t_err\"; }"
        )
        s.line(
            "t_setfacl() { t_err=$(setfacl --set \"$2\" -- \"$3\" 2>&1) || t_perm_fail \"setfacl:$1\" \"setfacl failed on permission entry #$1\" \"$t_err\"; }"
        )
        // The rule names the path; restorecon relabels the entry itself (it never follows a
        // link) in the directory entered above.
        s.line("t_label() {")
        s.line("  t_i=$1 t_p=$2; shift 2")
        s.line(
            "  semanage fcontext -a \"$@\" -- \"$t_p\" >/dev/null 2>&1 || t_err=$(semanage fcontext -m \"$@\" -- \"$t_p\" 2>&1) ||"
        )
        s.line("    t_fail \"selinux:$t_i\" \"semanage fcontext failed on permission entry #$t_i\" \"$t_err\"")
        s.line(
            "  t_err=$(restorecon -F -- \"./$t_pn\" 2>&1) || t_fail \"selinux:$t_i\" \"restorecon failed on permission entry #$t_i\" \"$t_err\""
        )
        s.line("}")
        return s
    }
}
