/// The host lock: a directory made atomically with `mkdir` (`layout.lockDirectory`) holding an
/// `info` file of three lines — deployment id, pid, start time in epoch seconds.
///
/// A lock that exists is reported (`@fact lock …`, as the probe prints it, and a `@note` for
/// people) and the program fails; a stale lock (its pid gone) is reported, never stolen.
/// Release removes the lock only when this deployment holds it. Before anything, the program
/// checks the deployment root (`RootCheck`): an unsafe one fails it with `@step root failed`.
public enum LockProgram {
    /// Takes the host lock for `deploymentID`, recording `runnerPID` (nil: the SSH connection's
    /// process, which the transport passes as `TARMAC_SESSION_PID` — it lives as long as the
    /// runner's connection — else the program's parent).
    ///
    /// With `probe`, the same program probes once it holds the lock (`ProbeProgram`'s facts
    /// after `@step lock ok`): one round trip, not two. A lock it could not take ends it
    /// before the probe, as the lock program alone ends.
    public static func acquire(
        layout: HostLayout, deploymentID: String, runnerPID: Int32?, probe: ProbeRequest? = nil
    ) -> ShellScript {
        let title = "take the host lock for deployment \(deploymentID)"
        var script = Bookkeeping.prelude(probe == nil ? title : title + ", then probe group \(layout.groupID)")
        if probe != nil {
            script.reuseName = "\(layout.groupID).lock-probe"
            // The probe's helpers hold the lock's (`holderHelper`, `RootCheck`).
            script.append(ProbeProgram.helpers())
        } else {
            script.append(holderHelper())
            script.append(RootCheck.helpers())
        }
        take(layout: layout, deploymentID: deploymentID, runnerPID: runnerPID, into: &script)
        script.line("printf '@step lock ok\\n' >&3")
        if let probe { script.append(ProbeProgram.steps(request: probe, layout: layout, runnerPID: runnerPID)) }
        Bookkeeping.finish(&script)
        return script
    }

    /// Takes the lock, or fails the program (`t_fail lock`, with the holder's fact when there is
    /// one); the caller prints `@step lock ok` after it. Needs `holderHelper` and `RootCheck`'s helpers.
    private static func take(
        layout: HostLayout, deploymentID: String, runnerPID: Int32?, into script: inout ShellScript
    ) {
        Bookkeeping.assign("t_dir", layout.lockDirectory, in: &script)
        if let runnerPID {
            script.run("t_let", "t_pid", .number(runnerPID))
        } else {
            script.line("t_pid=${TARMAC_SESSION_PID:-$PPID}")
        }
        script.comment("The deployment root is checked before it is used, and again once it exists.")
        script.run("t_chain", .quoted(layout.root))
        script.run(
            "mkdir", "-p", "--", .quoted(layout.root), "||", "t_fail", "lock",
            .quoted("cannot create the deployment root"), .quoted(layout.root))
        script.append(RootCheck.check(layout))
        script.line("if mkdir -- \"$t_dir\" 2>/dev/null; then")
        script.run(
            "  printf", "'%s\\n%s\\n%s\\n'", .quoted(deploymentID), "\"$t_pid\"", "\"$(date +%s)\"",
            ">", "\"$t_dir/info.tmp\"", "&&", "mv", "-f", "--", "\"$t_dir/info.tmp\"", "\"$t_dir/info\"", "||",
            "t_fail", "lock", .quoted("cannot write the lock's info file"), "\"$t_dir\"")
        script.line("else")
        script.run(
            "  [", "-d", "\"$t_dir\"", "]", "||", "t_fail", "lock", .quoted("cannot create the lock directory"),
            "\"$t_dir\"")
        script.line("  t_lock \"$t_dir\" \"$t_pid\"")
        let where_ = Bookkeeping.display(layout.lockDirectory)
        script.run(
            "  t_fail", "lock",
            .quoted(
                "the host is locked by another deployment (see the lock fact: holder, pid, start, alive). "
                    + "If its process is gone and no tarmac run uses this host, remove \(where_) after checking, then retry."
            ))
        script.line("fi")
    }

    /// Releases the host lock if `deploymentID` holds it; a lock held by another deployment
    /// is reported and left alone (status 1); no lock at all is a success with a note.
    public static func release(layout: HostLayout, deploymentID: String) -> ShellScript {
        var script = Bookkeeping.prelude("release the host lock of deployment \(deploymentID)")
        Bookkeeping.assign("t_dir", layout.lockDirectory, in: &script)
        script.ifThen(["[", "!", "-d", "\"$t_dir\"", "]"]) { s in
            s.line("t_note 'the host lock was not held'")
            Bookkeeping.finish(&s)
            s.line("exit 0")
        }
        script.line("t_holder=")
        script.line("[ ! -f \"$t_dir/info\" ] || { IFS= read -r t_holder < \"$t_dir/info\" || :; }")
        script.ifThen(["[", "\"$t_holder\"", "!=", .quoted(deploymentID), "]"]) { s in
            s.run("t_fail", "unlock", .quoted("the host lock is held by another deployment; left in place"))
        }
        script.run(
            "rm", "-f", "--", "\"$t_dir/info\"", "&&", "rmdir", "--", "\"$t_dir\"", "||",
            "t_fail", "unlock", .quoted("cannot remove the host lock"), "\"$t_dir\"")
        script.line("printf '@step unlock ok\\n' >&3")
        Bookkeeping.finish(&script)
        return script
    }

    /// The release as the tail of another program (the receipt's, the last a deployment runs):
    /// removes the lock only when `deploymentID` holds it and prints `@step unlock ok`, and
    /// never fails the program it ends. Without that step the runner releases the lock with
    /// `release`, which says why it could not.
    public static func releaseAtEnd(layout: HostLayout, deploymentID: String) -> ShellScript {
        var s = ShellScript()
        s.comment("The host lock goes with the program's end, when this deployment holds it.")
        Bookkeeping.assign("t_ldir", layout.lockDirectory, in: &s)
        s.line("t_lholder=")
        s.line("[ ! -f \"$t_ldir/info\" ] || { IFS= read -r t_lholder < \"$t_ldir/info\" || :; }")
        s.run(
            "[", "\"$t_lholder\"", "=", .quoted(deploymentID), "]", "&&", "rm", "-f", "--", "\"$t_ldir/info\"", "&&",
            "rmdir", "--", "\"$t_ldir\"", "&&", "printf", "'@step unlock ok\\n'", ">&3")
        return s
    }

    /// `t_lock DIR CALLER_PID`: prints `@fact lock <hex id> <pid> <epoch> <alive|dead> [caller]`
    /// when DIR exists (an info file still being written reads as empty values).
    static func holderHelper() -> ShellScript {
        var s = ShellScript()
        s.line("t_lock() {")
        s.line("  [ -d \"$1\" ] || return 0")
        s.line("  i= p= t=")
        s.line("  [ ! -f \"$1/info\" ] || { IFS= read -r i; IFS= read -r p; IFS= read -r t; } < \"$1/info\" || :")
        s.line("  case $p in ''|*[!0-9]*) p=0 ;; esac")
        s.line("  case $t in ''|*[!0-9]*) t=0 ;; esac")
        s.line("  a=dead")
        s.line("  if [ \"$p\" -gt 0 ] && { kill -0 \"$p\" 2>/dev/null || [ -d \"/proc/$p\" ]; }; then a=alive; fi")
        s.line("  c=; [ \"$p\" != \"$2\" ] || c=' caller'")
        s.line(
            "  printf '@fact lock %s %s %s %s%s\\n' \"$(printf '%s' \"$i\" | od -An -v -tx1 | tr -d ' \\n')\" \"$p\" \"$t\" \"$a\" \"$c\" >&3"
        )
        s.line("}")
        return s
    }

    /// The holder a lock fact describes (from the acquire program's or the probe's lines).
    public static func holder(in lines: [ProgramLine]) -> HostFacts.Lock? {
        for case .fact("lock", let value) in lines {
            return parseLockFact(value)
        }
        return nil
    }

    static func parseLockFact(_ value: String) -> HostFacts.Lock? {
        let fields = value.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count >= 4, let id = Bookkeeping.decodeHex(fields[0]),
            let pid = Int32(fields[1]), let started = Int64(fields[2])
        else { return nil }
        return HostFacts.Lock(
            deploymentID: String(decoding: id, as: UTF8.self), pid: pid, startedAt: started,
            holderAlive: fields[3] == "alive")
    }
}
