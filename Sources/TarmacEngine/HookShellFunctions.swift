/// The fixed part of every hook program: POSIX `sh` functions written here once, as
/// trusted syntax. They take every value as a positional parameter or a variable the
/// program set from a quoted word, so no value is ever parsed as code.
///
/// How a script runs (spec §3.6, §3.7 [ours]):
/// * it is started in the background in a new session (`setsid`), so its pid is its
///   process group id; stdin is `/dev/null`, stdout and stderr go to two files;
/// * a watchdog in its own session waits out the timeout, then sends SIGTERM to the
///   script's group, and SIGKILL 5 s later if anything in the group survived; it does the
///   same at once when the runner is gone (tarmac aborted, or its SSH connection dropped), so
///   hooks never outlive the deployment that started them;
/// * `tail -f --pid` streams each file to the relay, and ends once the script is reaped —
///   completion never waits for the files to be closed, so a background child that keeps
///   the output open cannot hang the event; it is reported (scanning `/proc/*/fd`) and left
///   running, with its output directory kept.
enum HookShellFunctions {
    /// `tarmac_log MESSAGE`: one record in `scripts.log` and in the aggregated log (spec §8).
    static let log: [StaticString] = [
        "tarmac_log() {",
        "  tarmac_now=$(date '+%Y-%m-%d %H:%M:%S.%3N')",
        "  printf '%s %s\\n' \"${tarmac_now%.*}\" \"$1\" >>\"$tarmac_scripts_log\"",
        "  printf '[%s] [%s]%s\\n' \"$tarmac_now\" \"$tarmac_deployment\" \"$1\" >>\"$tarmac_aggregate_log\"",
        "}",
    ]

    /// `tarmac_relay o|e stdout|stderr`: each line of stdin as a program line and a log record.
    static let relay: [StaticString] = [
        "tarmac_relay() {",
        "  while IFS= read -r tarmac_line || [ -n \"$tarmac_line\" ]; do",
        "    printf '@%s %s\\n' \"$1\" \"$tarmac_line\" >&3",
        "    tarmac_log \"[$2]$tarmac_line\"",
        "  done",
        "}",
    ]

    /// `tarmac_step INDEX STATUS [MILLISECONDS]`: the result of one script.
    static let step: [StaticString] = [
        "tarmac_step() {",
        "  echo \"@step script:$1 $2 ${3:-0}\" >&3",
        "}",
    ]

    /// `tarmac_account USER`: sets `tarmac_home` and `tarmac_shell` from the passwd entry.
    static let account: [StaticString] = [
        "tarmac_account() {",
        "  tarmac_entry=$(getent passwd -- \"$1\") || return 1",
        "  tarmac_entry=${tarmac_entry#*:*:*:*:*:}",
        "  tarmac_home=${tarmac_entry%:*}",
        "  tarmac_shell=${tarmac_entry##*:}",
        "}",
    ]

    /// `tarmac_private FILE`: creates FILE (or keeps it) as a private file, 0600; a link or
    /// anything but a regular file there is refused, never written through.
    static let privateFile: [StaticString] = [
        "tarmac_private() {",
        "  if [ -L \"$1\" ] || { [ -e \"$1\" ] && [ ! -f \"$1\" ]; }; then",
        "    t_note 'a log file of this deployment is a symbolic link or not a regular file; nothing was written to it'",
        "    return 1",
        "  fi",
        "  (umask 077 && : >>\"$1\") && chmod 0600 -- \"$1\"",
        "}",
    ]

    /// `tarmac_grant INDEX ARCHIVE USER`: lets USER into the closed deployment archive
    /// (read and search the top directory; what is inside is readable by others already).
    static let grant: [StaticString] = [
        "tarmac_grant() {",
        "  if command -v setfacl >/dev/null 2>&1; then setfacl -m \"u:$3:r-x\" -- \"$2\" && return 0",
        "  else tarmac_gid=$(id -g -- \"$3\") && chgrp -- \"$tarmac_gid\" \"$2\" && chmod 0750 -- \"$2\" && return 0",
        "  fi",
        "  t_note \"script:$1 its runas user could not be let into the deployment archive\"",
        "}",
    ]

    /// `tarmac_preflight INDEX PATH RUNAS ARCHIVE` (spec §3.2, §3.3): the script exists and is
    /// executable, how to start it, and whose account it runs under (let into ARCHIVE).
    static let preflight: [StaticString] = [
        "tarmac_preflight() {",
        "  if [ ! -e \"$2\" ]; then tarmac_step \"$1\" missing; return 1; fi",
        "  if [ ! -x \"$2\" ]; then",
        "    chmod a+x -- \"$2\" 2>/dev/null || { tarmac_step \"$1\" not-executable; return 1; }",
        "    t_note \"script:$1 is not executable; made it executable (chmod a+x)\"",
        "  fi",
        "  tarmac_interp=",
        "  case $(head -c 4 -- \"$2\" 2>/dev/null) in",
        "    '#!'* | \"$tarmac_elf\") ;;",
        "    *) tarmac_interp=/bin/sh; t_note \"script:$1 has no #! line; running it with /bin/sh\" ;;",
        "  esac",
        "  if [ -n \"$3\" ]; then",
        "    tarmac_account \"$3\" || { tarmac_step \"$1\" unknown-user; return 1; }",
        "    tarmac_user=$3",
        "    [ -z \"$4\" ] || tarmac_grant \"$1\" \"$4\" \"$3\"",
        "  else",
        "    tarmac_user=$tarmac_self",
        "    tarmac_account \"$tarmac_self\" || { tarmac_home=/; tarmac_shell=/bin/sh; }",
        "  fi",
        "}",
    ]

    /// The watchdog, run as `setsid sh -c "$tarmac_watchdog" - TIMEOUT PGID MARKER RUNNER`:
    /// at the deadline, or as soon as the RUNNER process is gone, it marks the script timed
    /// out, sends SIGTERM to its group, SIGKILL after up to 5 s if any member is left, and ends
    /// once the group is gone (or 1 s later).
    static let watchdog: [StaticString] = [
        "tarmac_watchdog='w=0",
        "while [ \"$w\" -lt \"$1\" ] && kill -0 \"$4\" 2>/dev/null; do sleep 1 || exit 0; w=$((w + 1)); done",
        ": >\"$3\"",
        // A script started a moment ago may not have made its own session yet: wait for it.
        "n=0",
        "while [ \"$n\" -lt 20 ] && ! kill -0 -\"$2\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done",
        "kill -TERM -\"$2\" 2>/dev/null || kill -TERM \"$2\" 2>/dev/null || exit 0",
        "n=0",
        "while [ \"$n\" -lt 25 ] && kill -0 -\"$2\" 2>/dev/null; do sleep 0.2; n=$((n + 1)); done",
        "kill -KILL -\"$2\" 2>/dev/null || exit 0",
        "while [ \"$n\" -lt 30 ] && kill -0 -\"$2\" 2>/dev/null; do sleep 0.2; n=$((n + 1)); done'",
    ]

    /// `tarmac_start INDEX PATH TIMEOUT RUNAS`: starts the script, its watchdog and both relays.
    static let start: [StaticString] = [
        "tarmac_start() {",
        "  tarmac_out=$tarmac_tmp/$1.out",
        "  tarmac_err=$tarmac_tmp/$1.err",
        "  tarmac_mark=$tarmac_tmp/$1.timedout",
        "  : >\"$tarmac_out\"",
        "  : >\"$tarmac_err\"",
        "  tarmac_t0=$(date +%s%3N)",
        "  tarmac_launch \"$2\" \"$4\" </dev/null >\"$tarmac_out\" 2>\"$tarmac_err\" 3>&- &",
        "  tarmac_pid=$!",
        "  setsid sh -c \"$tarmac_watchdog\" tarmac-watchdog \"$3\" \"$tarmac_pid\" \"$tarmac_mark\" \"$tarmac_runner\" </dev/null >/dev/null 2>&1 3>&- &",
        "  tarmac_wpid=$!",
        "  tail -n +1 -s 0.01 -f --pid=\"$tarmac_pid\" -- \"$tarmac_out\" 2>/dev/null | tarmac_relay o stdout &",
        "  tarmac_opid=$!",
        "  tail -n +1 -s 0.01 -f --pid=\"$tarmac_pid\" -- \"$tarmac_err\" 2>/dev/null | tarmac_relay e stderr &",
        "  tarmac_epid=$!",
        "}",
    ]

    /// `tarmac_collect INDEX`: waits for the script, stops or awaits the watchdog, drains
    /// both streams and reports the step; succeeds only when the script did.
    static let collect: [StaticString] = [
        "tarmac_collect() {",
        "  wait \"$tarmac_pid\" 2>/dev/null",
        "  tarmac_rc=$?",
        "  tarmac_ms=$(( $(date +%s%3N) - tarmac_t0 ))",
        // The watchdog may not have made its own session yet when a quick script ends: kill
        // the process itself as well as its group, or `wait` would sit out the whole timeout.
        "  [ -e \"$tarmac_mark\" ] || { kill -KILL -\"$tarmac_wpid\" 2>/dev/null; kill -KILL \"$tarmac_wpid\" 2>/dev/null; }",
        "  wait \"$tarmac_wpid\" 2>/dev/null",
        "  wait \"$tarmac_opid\"",
        "  wait \"$tarmac_epid\"",
        "  if [ -e \"$tarmac_mark\" ]; then tarmac_status=timeout",
        "  elif [ \"$tarmac_rc\" -eq 0 ]; then tarmac_status=ok",
        "  elif [ \"$tarmac_rc\" -gt 128 ] && tarmac_sig=$(kill -l \"$tarmac_rc\" 2>/dev/null); then tarmac_status=signaled:$tarmac_sig",
        "  else tarmac_status=failed:$tarmac_rc",
        "  fi",
        "  [ \"$tarmac_status\" = timeout ] || tarmac_holders \"$1\" || tarmac_keep=1",
        "  tarmac_step \"$1\" \"$tarmac_status\" \"$tarmac_ms\"",
        "  [ \"$tarmac_status\" = ok ]",
        "}",
    ]

    /// `tarmac_holders INDEX`: notes every process that still holds the script's output
    /// files (by device and inode, from `/proc/*/fd`); fails when there is one.
    static let holders: [StaticString] = [
        "tarmac_holders() {",
        // Nothing left in the script's process group (the usual case): nobody can hold the
        // output but a child that made a session of its own, and scanning every process of
        // the host costs more than a hook usually takes.
        "  kill -0 -\"$tarmac_pid\" 2>/dev/null || return 0",
        "  tarmac_o=$(stat -c %d:%i -- \"$tarmac_out\") && tarmac_e=$(stat -c %d:%i -- \"$tarmac_err\") || return 0",
        "  stat -L -c '%d:%i %n' /proc/[0-9]*/fd/* 2>/dev/null | {",
        "    tarmac_seen=' '",
        "    while read -r tarmac_id tarmac_fd; do",
        "      [ \"$tarmac_id\" = \"$tarmac_o\" ] || [ \"$tarmac_id\" = \"$tarmac_e\" ] || continue",
        "      tarmac_p=${tarmac_fd#/proc/}",
        "      tarmac_p=${tarmac_p%%/*}",
        "      case $tarmac_seen in *\" $tarmac_p \"*) continue ;; esac",
        "      tarmac_seen=\"$tarmac_seen$tarmac_p \"",
        "      read -r tarmac_c 2>/dev/null <\"/proc/$tarmac_p/comm\" || tarmac_c=unknown",
        "      t_note \"script:$1 process $tarmac_p ($tarmac_c) still holds the hook's output; start background processes with >/dev/null 2>&1 </dev/null\"",
        "    done",
        "    [ \"$tarmac_seen\" = ' ' ]",
        "  }",
        "}",
    ]

    /// `tarmac_script INDEX PATH LOCATION TIMEOUT RUNAS ARCHIVE`: one script, start to finish.
    static let script: [StaticString] = [
        "tarmac_script() {",
        "  tarmac_preflight \"$1\" \"$2\" \"$5\" \"$6\" || return 1",
        "  tarmac_log \"Script - $3\"",
        "  tarmac_start \"$1\" \"$2\" \"$4\" \"$5\"",
        "  tarmac_collect \"$1\"",
        "}",
    ]

    /// `tarmac_finish STATUS`: removes the output files (unless a process still writes
    /// to them) and ends the program with its `@done` line.
    static let finish: [StaticString] = [
        "tarmac_finish() {",
        "  [ -n \"$tarmac_keep\" ] || rm -rf -- \"$tarmac_tmp\"",
        "  echo \"@done $1\" >&3",
        "  exit \"$1\"",
        "}",
    ]

    /// Every fixed function, in the order the program defines them.
    static let all: [[StaticString]] = [
        log, relay, step, account, grant, preflight, start, collect, holders, script, finish,
    ]
}
