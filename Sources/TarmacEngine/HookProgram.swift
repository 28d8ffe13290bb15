/// Renders the hook program of one lifecycle event: a POSIX `sh` program that runs the
/// event's scripts in order and speaks the `ProgramLine` protocol (spec §3, §8).
///
/// Lines the program prints:
///
///     @o <text> / @e <text>            a line a script printed on stdout / stderr
///     @note script:<i> <text>          a warning about script i (never holds a path)
///     @step script:<i> <status> <ms>   script i finished: ok, missing, not-executable,
///                                      unknown-user, failed:<code>, signaled:<SIG>, timeout
///     @step setup failed               the log or output directory could not be made
///     @done 0|1                        always last: 0 when every script succeeded
///
/// Scripts get a clean environment (`env -i`): `PATH`, `LANG=C.UTF-8`, `HOME`, `USER`,
/// `LOGNAME` and `SHELL` of the account they run as, then `HookRun.environment`. They run
/// with working directory `/` and stdin `/dev/null`. `scripts.log` and the aggregated log are
/// private (0600 in 0700 directories). A script's runas user is let into its (closed)
/// deployment archive just before it runs: an ACL entry, or without `setfacl` the archive's group. See `HookShellFunctions` for how
/// timeouts and background children are handled.
public enum HookProgram {
    /// The program for `run`; deterministic, so it can be compared with a golden file.
    public static func render(_ run: HookRun) -> ShellScript {
        var program = Bookkeeping.prelude(
            "hook program: \(run.event) of deployment \(run.deploymentID), \(run.scripts.count) script(s)")
        guard !run.scripts.isEmpty else {
            Bookkeeping.finish(&program)
            return program
        }
        setup(run, &program)
        for lines in HookShellFunctions.all { program.hookCode(lines) }
        launchFunction(run, &program)
        program.run("tarmac_log", "\"LifecycleEvent - $tarmac_event\"")
        for (index, script) in run.scripts.enumerated() {
            program.run(
                "tarmac_script", .number(index), .quoted(script.path), .quoted(script.location),
                .number(max(1, script.timeout)), .quoted(script.runas ?? ""), .quoted(script.archive ?? ""), "||",
                "tarmac_finish", "1")
        }
        program.run("tarmac_finish", "0")
        return program
    }

    /// Reads the lines a hook program printed back into a result (see `HookResult`).
    public static func result(for run: HookRun, from lines: [ProgramLine]) -> HookResult {
        HookResult(run: run, lines: lines)
    }

    /// Values into variables, tools looked up, log and output directories made.
    private static func setup(_ run: HookRun, _ program: inout ShellScript) {
        let logDirectory = parent(run.scriptsLog)
        program.run(
            "set", "--", .quoted(run.event), .quoted(run.deploymentID), .quoted(run.scriptsLog),
            .quoted(run.aggregateLog), .quoted(logDirectory), .quoted(parent(run.aggregateLog)))
        program.hookCode([
            "tarmac_event=$1", "tarmac_deployment=$2", "tarmac_scripts_log=$3", "tarmac_aggregate_log=$4",
            "tarmac_self=$(id -un 2>/dev/null) || tarmac_self=$(id -u)",
            "tarmac_runuser=$(command -v runuser) || tarmac_runuser=",
            "tarmac_setsid=$(command -v setsid) || tarmac_setsid=setsid",
            "tarmac_elf=$(printf '\\177ELF')", "tarmac_keep=",
            // Whose end ends the hooks: the SSH connection's sshd, or tarmac itself when local.
            "tarmac_runner=${TARMAC_SESSION_PID:-$PPID}",
        ])
        program.hookCode(HookShellFunctions.watchdog)
        program.hookCode(HookShellFunctions.privateFile)
        program.hookCode([
            "tarmac_ready=1",
            "for tarmac_tool in setsid tail getent stat mktemp head; do",
            "  command -v \"$tarmac_tool\" >/dev/null 2>&1 && continue",
            "  t_note \"hook programs need $tarmac_tool, which is missing on this host\"",
            "  tarmac_ready=",
            "done",
            // Hook output may hold secrets: the logs are 0600 in 0700 directories, never written through a link.
            "if [ -z \"$tarmac_ready\" ] || ! mkdir -p -- \"$5\" \"$6\" || ! chmod 0700 -- \"$5\" \"$6\" ||",
            "  ! tarmac_private \"$3\" || ! tarmac_private \"$4\" || ! tarmac_tmp=$(mktemp -d -- \"$5/.hook-output.XXXXXX\"); then",
            "  printf '@step setup failed\\n@done 1\\n' >&3", "  exit 1", "fi",
        ])
        let invalid = run.invalidEnvironmentNames.count
        if invalid > 0 {
            program.run(
                "t_note",
                .quoted(
                    "\(invalid) environment variable(s) with names that are not valid shell names were not passed to the scripts"
                ))
        }
    }

    /// `tarmac_launch PATH RUNAS`: becomes the script (in the background child), in a new
    /// session, with the clean environment; the only function that holds per-run words.
    private static func launchFunction(_ run: HookRun, _ program: inout ShellScript) {
        program.hookCode([
            "tarmac_launch() {",
            "  cd / || exit 126",
            "  if [ -n \"$2\" ] && [ -n \"$tarmac_runuser\" ]; then set -- \"$tarmac_runuser\" -u \"$2\" -- ${tarmac_interp:+\"$tarmac_interp\"} \"$1\"",
            "  elif [ -n \"$2\" ]; then set -- su -s /bin/sh \"$2\" -c 'exec \"$0\" \"$@\"' ${tarmac_interp:+\"$tarmac_interp\"} \"$1\"",
            "  else set -- ${tarmac_interp:+\"$tarmac_interp\"} \"$1\"",
            "  fi",
            "  exec env -i \\",
        ])
        program.run(.quoted("PATH=" + Bookkeeping.searchPath), "'LANG=C.UTF-8'", "\\")
        program.hookCode([
            "    \"HOME=$tarmac_home\" \"USER=$tarmac_user\" \"LOGNAME=$tarmac_user\" \"SHELL=$tarmac_shell\" \\"
        ])
        for variable in run.scriptEnvironment {
            program.run(.quoted("\(variable.name)=\(variable.value)"), "\\")
        }
        program.hookCode(["    \"$tarmac_setsid\" \"$@\"", "}"])
    }

    /// The directory part of an absolute path (`/` for a top-level file).
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }
}

extension ShellScript {
    /// Appends fixed lines of tarmac's own shell code, one program line each.
    mutating func hookCode(_ lines: [StaticString]) {
        for line in lines { run(.literal(line)) }
    }
}
