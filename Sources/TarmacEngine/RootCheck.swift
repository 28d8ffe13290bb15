/// The check of the deployment root that the first program of a deployment (the lock) and
/// the probe run before they use it (SECURITY.md, "a checked deployment root").
///
/// The root, each of its ancestors (as written and as resolved), the directories tarmac keeps
/// in it and the records it reads back must be owned by root or the deployment user (the one
/// running the program) and writable by no one else; an ancestor may be a sticky directory
/// such as `/tmp`, whose entries only their owners can replace. Anything else stops the program
/// with `@step root failed` and a note naming the path, its owner and its mode: a user who
/// could write there could plant the records that choose which scripts run as root.
enum RootCheck {
    /// The checks of the chain from `/` to `root`, and of what tarmac keeps in it. Parts that
    /// do not exist yet are not checked (the lock program checks again once it made them).
    static func check(_ layout: HostLayout) -> ShellScript {
        var s = ShellScript()
        s.run("t_chain", .quoted(layout.root))
        let directories = [
            layout.instructions, parent(layout.aggregateLog), layout.groupDirectory, layout.lockDirectory,
        ]
        let records = [layout.lastSuccessfulFile, layout.cleanupFile, layout.mostRecentFile, layout.aggregateLog]
        s.run(checks(directories.map { ($0, "directory") } + records.map { ($0, "record") }))
        return s
    }

    /// `t_show`, `t_checks PATH ROLE…`, `t_check PATH ROLE` and `t_chain PATH`; fixed text, no data.
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_uid=$(id -u)")
        s.comment("A path in one line, for a note.")
        s.line("t_show() { t_shown=$(printf '%s' \"$1\" | tr '\\n\\r' '??'); }")
        s.comment(
            "ROLE: ancestor (a sticky directory or a link allowed), root (a link allowed), directory, or record (a regular file of ours)."
        )
        s.comment("t_checks PATH ROLE [PATH ROLE]…: each path that exists judged by t_judge, with one stat for all.")
        s.line("t_checks() {")
        s.line("  t_croles= t_cn=$#")
        s.line("  while [ \"$t_cn\" -gt 0 ]; do")
        s.line("    t_cp=$1 t_cr=$2; shift 2; t_cn=$((t_cn - 2))")
        s.line(
            "    if [ -e \"$t_cp\" ] || [ -L \"$t_cp\" ]; then set -- \"$@\" \"$t_cp\"; t_croles=\"$t_croles$t_cr \"; fi"
        )
        s.line("  done")
        s.line("  [ $# -gt 0 ] || return 0")
        s.line("  t_csts=$(stat -c '%u %a %A %U' -- \"$@\") || t_fail root 'cannot stat a path of the deployment root'")
        s.line("  while IFS=' ' read -r t_cu t_ca t_cA t_cU; do")
        s.line("    t_judge \"$1\" \"${t_croles%% *}\" \"$t_cu\" \"$t_ca\" \"$t_cA\" \"$t_cU\"")
        s.line("    t_croles=${t_croles#* }; shift")
        s.line("  done <<EOF")
        s.line("$t_csts")
        s.line("EOF")
        s.line("}")
        s.line("t_check() { t_checks \"$1\" \"$2\"; }")
        s.comment("t_judge PATH ROLE UID MODE PERMISSIONS OWNER: fails unless the path is fit for its role.")
        s.line("t_judge() {")
        s.line("  t_bad=")
        s.line("  case $2:$5 in")
        s.line("    ancestor:l*|ancestor:d*|root:l*|root:d*|directory:d*|record:-*) ;;")
        s.line("    record:*) t_bad='is not a regular file' ;;")
        s.line("    *) t_bad='is not a directory' ;;")
        s.line("  esac")
        s.line(
            "  if [ -z \"$t_bad\" ] && [ \"$3\" != \"$t_uid\" ] && { [ \"$2\" = record ] || [ \"$3\" != 0 ]; }; then")
        s.line("    t_bad='is not owned by root or the deployment user'")
        s.line("  fi")
        s.line("  case $2:$5 in")
        s.line("    *:l*|ancestor:d????????[tT]) ;;")
        s.line("    *:?????w????|*:????????w?) [ -n \"$t_bad\" ] || t_bad='is writable by other users' ;;")
        s.line("  esac")
        s.line("  [ -n \"$t_bad\" ] || return 0")
        s.line("  t_show \"$1\"")
        s.line("  t_m=000$4")
        s.line("  t_m=${t_m#\"${t_m%????}\"}")
        s.line("  case $2 in")
        s.line(
            "    record) t_what='a record tarmac reads back must be a regular file owned by the deployment user and writable by no one else; check it, then remove it' ;;"
        )
        s.line(
            "    *) t_what='the deployment root, its ancestors and the directories in it must be owned by root (or the deployment user) and writable by no one else' ;;"
        )
        s.line("  esac")
        s.line(
            "  t_fail root \"the deployment root is not safe: $t_shown $t_bad (owner $6, uid $3, mode $t_m, $5): $t_what\""
        )
        s.line("}")
        s.comment("Every component from / down, as written and as resolved (symlinks followed).")
        s.line("t_walk() {")
        s.line("  t_rest=${1#/} t_cur=")
        s.line("  set -- / ancestor")
        s.line("  while [ -n \"$t_rest\" ]; do")
        s.line("    t_part=${t_rest%%/*}")
        s.line("    case $t_rest in */*) t_rest=${t_rest#*/} ;; *) t_rest= ;; esac")
        s.line("    [ -n \"$t_part\" ] || continue")
        s.line("    t_cur=$t_cur/$t_part")
        s.line("    [ -e \"$t_cur\" ] || [ -L \"$t_cur\" ] || break")
        s.line(
            "    if [ -n \"${t_rest%/}\" ]; then set -- \"$@\" \"$t_cur\" ancestor; else set -- \"$@\" \"$t_cur\" root; fi"
        )
        s.line("  done")
        s.line("  t_checks \"$@\"")
        s.line("}")
        s.line("t_chain() {")
        s.line("  t_walk \"$1\"")
        s.line("  [ -d \"$1\" ] || return 0")
        s.line("  t_real=$(cd -P -- \"$1\" && pwd -P) || t_fail root 'cannot resolve the deployment root'")
        s.line("  [ \"$t_real\" = \"$1\" ] || t_walk \"$t_real\"")
        s.line("}")
        return s
    }

    /// `t_checks PATH ROLE …`: the paths checked in order, with one `stat` for all of them.
    static func checks(_ paths: [(path: String, role: ShellWord)]) -> ShellCommand {
        ShellCommand(["t_checks"] + paths.flatMap { [ShellWord.quoted($0.path), $0.role] })
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
