extension InstallProgram {
    /// Directories, made by last component inside the entered parent (`mkdir` never follows
    /// a link: a planted one makes it fail, and the host fails saying so).
    static func placementHelpers() -> ShellScript {
        var s = ShellScript()
        // Fast path for directories none of which exists yet; status 1 (nothing made) sends the
        // caller to t_mkdir one by one, which records only what it made itself.
        s.line("t_mkdirs() {")
        s.line("  t_i=$1; shift")
        s.line("  for t_n do if [ -e \"$t_n\" ] || [ -h \"$t_n\" ]; then return 1; fi; done")
        s.line("  mkdir -m 0755 -- \"$@\" 2>\"$t_errf\" && return 0")
        s.line("  t_err=$(cat -- \"$t_errf\")")
        s.line(
            "  if t_disk_full \"$t_err\"; then t_fail \"mkdir:$t_i\" \"the disk is full: cannot create directories from #$t_i on\" \"$t_err\"; fi"
        )
        s.line("  t_fail \"mkdir:$t_i\" \"cannot create directories from #$t_i on\" \"$t_err\"")
        s.line("}")
        s.line("t_mkdir() {")
        s.line("  mkdir -m 0755 -- \"./$2\" 2>\"$t_errf\" && return 0")
        s.line("  if [ -h \"./$2\" ]; then")
        s.line(
            "    t_fail \"mkdir:$1\" \"a symlink is where directory #$1 must go; tarmac never follows it: remove it\" \"$PWD/$2\""
        )
        s.line("  fi")
        s.line("  if [ -d \"./$2\" ]; then return 1; fi")
        s.line("  t_fail \"mkdir:$1\" \"cannot create directory #$1\" \"$(cat -- \"$t_errf\")\"")
        s.line("}")
        return s
    }

    /// The stage: a fresh directory only root can write (`mktemp -d`, an unpredictable name
    /// made with mkdir, which fails on anything planted), inside the entered directory, and
    /// entered itself. Copies (with their modes) and links are made in it; `t_stage_out` renames them over
    /// their targets (rename replaces a link, never follows it) and removes it.
    static func stageHelpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_stage=")
        s.line("t_stage_in() {")
        s.line("  t_dir=${PWD%/}")
        s.line(
            "  t_stage=$(mktemp -d -p . .tarmac-XXXXXXXXXX 2>\"$t_errf\") || t_fail \"$1:$2\" \"cannot make a staging directory for #$2\" \"$(cat -- \"$t_errf\")\""
        )
        s.line("  t_stage=${t_stage#./}")
        s.line("  cd -P -- \"./$t_stage\" && [ \"$PWD\" = \"$t_dir/$t_stage\" ] && [ -O . ] ||")
        s.line("    t_fail \"$1:$2\" \"the staging directory for #$2 was replaced while Install ran\" \"$t_dir\"")
        s.line("}")
        s.line("t_abort() {")
        s.line("  if [ -n \"$t_stage\" ]; then cd -P .. && rm -rf -- \"./$t_stage\"; t_stage=; fi")
        s.line("  t_fail \"$@\"")
        s.line("}")
        // The copies' complaints are kept in $t_err, not in a file: on a full disk the file
        // would stay empty and the message could not say why.
        s.line("t_put_failed() {")
        s.line(
            "  if t_disk_full \"$t_err\"; then t_abort \"copy:$1\" \"the disk is full: cannot copy files from #$1 on\" \"$t_err\"; fi"
        )
        s.line("  t_abort \"copy:$1\" \"cannot copy files from #$1 on\" \"$t_err\"")
        s.line("}")
        // `install` copies and sets the mode in one process (-p keeps the times, as cp -p did).
        // Arguments arrive whole (archive paths, `./name`): rebuilding "$@" in a loop is O(n²) in dash.
        s.line("t_put() {")
        s.line("  t_i=$1 t_m=$2; shift 2")
        s.line("  t_err=$(install -p -m \"$t_m\" -t . -- \"$@\" 2>&1) || t_put_failed \"$t_i\"")
        s.line("}")
        s.line(
            "t_put_as() { t_err=$(install -p -m \"$2\" -- \"$t_archive/$3\" \"./$4\" 2>&1) || t_put_failed \"$1\"; }"
        )
        s.line("t_put_link() { t_err=$(ln -s -- \"$2\" \"./$3\" 2>&1) || t_put_failed \"$1\"; }")
        s.line("t_unplace() {")
        s.line("  [ ! -d \"../$2\" ] || [ -h \"../$2\" ] || rmdir -- \"../$2\" 2>/dev/null ||")
        s.line("    t_abort \"copy:$1\" \"a non-empty directory is where file #$1 must go\" \"$t_dir/$2\"")
        s.line("}")
        s.line("t_stage_out() {")
        s.line("  t_g=$1 t_i=$2; shift 2")
        s.line("  if ! mv -f -t .. -- \"$@\" 2>\"$t_errf\"; then")
        s.line("    t_err=$(cat -- \"$t_errf\") t_o=0")
        s.line("    for t_n do")
        s.line("      [ -e \"./$t_n\" ] || [ -h \"./$t_n\" ] || printf '@step put:%s.%s ok\\n' \"$t_g\" \"$t_o\" >&3")
        s.line("      t_o=$((t_o + 1))")
        s.line("    done")
        s.line("    t_abort \"copy:$t_i\" \"cannot move files from #$t_i on into place\" \"$t_err\"")
        s.line("  fi")
        s.line("  printf '@step placed:%s ok\\n' \"$t_g\" >&3")
        s.line(
            "  cd -P .. && rmdir -- \"./$t_stage\" 2>/dev/null || t_note \"a staging directory of Install could not be removed (files from #$t_i on)\""
        )
        s.line("  t_stage=")
        s.line("}")
        return s
    }
}
