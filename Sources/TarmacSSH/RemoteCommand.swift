/// The command sent with `exec`: it reads the program text from stdin into a private file
/// (`mktemp` makes it 0600) and replaces itself with `sh FILE` (under `sudo -n` when asked),
/// leaving the rest of stdin — the input file — to the program.
///
/// GNU `head -c N` reads exactly N bytes from a pipe, so the program's own `head -c` sees the
/// input from its first byte. The shell is `exec`ed rather than waited for, so a program killed
/// by a signal is reported by sshd as killed (a failure), not as an ordinary exit status; the
/// program therefore removes its own file first (`prefix`), which `sh` has already opened.
///
/// `TARMAC_SESSION_PID` is the connection's sshd process (the login shell's parent), which
/// the host lock records: it lives exactly as long as the runner's connection. Under `sudo`
/// the program's own parent is sudo, so the pid is passed explicitly.
enum RemoteCommand {
    /// The line sent ahead of every program: `sh FILE` runs with `$0` set to FILE.
    static let prefix = "rm -f \"$0\"\n"

    static func exec(programLength: Int, sudo: Bool) -> String {
        let run =
            sudo
            ? "exec sudo -n env TARMAC_SESSION_PID=\"$PPID\" sh \"$t\""
            : "TARMAC_SESSION_PID=$PPID; export TARMAC_SESSION_PID; exec sh \"$t\""
        return "t=$(mktemp) || exit 125; head -c \(programLength) > \"$t\" || { rm -f \"$t\"; exit 125; }; " + run
    }
}
