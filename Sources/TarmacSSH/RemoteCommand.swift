import TarmacEngine

/// The command sent with `exec`: it reads the program text (gzip-compressed unless it is small)
/// from stdin into a private file (`mktemp` makes it 0600) and replaces itself with `sh FILE`
/// (under `sudo -n` when asked), leaving the rest of stdin — the input file — to the program.
///
/// GNU `head -c N` reads exactly N bytes from a pipe, so the program's own `head -c` sees the
/// input from its first byte. The shell is `exec`ed rather than waited for, so a program killed
/// by a signal is reported by sshd as killed (a failure), not as an ordinary exit status; the
/// program therefore removes its own file first (`prefix`), which `sh` has already opened.
///
/// `TARMAC_SESSION_PID` is the connection's sshd process (the login shell's parent), which
/// the host lock records: it lives exactly as long as the runner's connection. Under `sudo`
/// the program's own parent is sudo, so the pid is passed explicitly.
///
/// A program with a `reuseName` is also kept on the host, in the login user's cache
/// (`keptDirectory`, made 0700): the next program of that name is sent as an edit of it
/// (`editScript`). The host rebuilds the text into a private file and runs it only if its
/// SHA-256 is the one the runner computed; a kept text that is missing, changed or unreadable
/// is a miss (`missLine`, exit 124), and the runner sends the whole program again.
enum RemoteCommand {
    /// The line sent ahead of every program: `sh FILE` runs with `$0` set to FILE.
    static let prefix = "rm -f \"$0\"\n"

    /// Where a host keeps the last text of each program name: the login user's own cache.
    static let keptDirectory = "${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/tarmac/programs"

    /// The one line an edit script prints when it cannot rebuild the program (nothing ran).
    static let missLine = "@tarmac-program-miss"
    static let missStatus: Int32 = 124

    /// Runs the whole program: `length` bytes on stdin, gzip when `compressed`. With `keep`, a
    /// copy of the text is kept under that name first (best effort: a host that cannot keep it
    /// gets whole programs, after a miss).
    ///
    /// A kept program is received into the kept directory itself, and kept by a hard link to
    /// that file (`ln -f` replaces a link planted in its place, never writes through it): no
    /// copy, no rename, no subshell.
    static func exec(programLength: Int, sudo: Bool, compressed: Bool = true, keep name: String? = nil) -> String {
        guard let name else { return receive(length: programLength, compressed: compressed) + run("$t", sudo: sudo) }
        return "d=\(keptDirectory); [ -d \"$d\" ] || (umask 077; mkdir -p \"$d\") 2>/dev/null; "
            + receive(length: programLength, compressed: compressed, in: "\"$d/.r.XXXXXX\"")
            + "ln -f \"$t\" \"$d/\(name)\" 2>/dev/null; " + run("$t", sudo: sudo)
    }

    /// Runs an edit script (`editScript`): `length` bytes on stdin, gzip when `compressed`. The
    /// script runs as the login user and starts the program itself.
    static func execEdit(length: Int, compressed: Bool = true) -> String {
        receive(length: length, compressed: compressed) + "exec sh \"$t\""
    }

    /// Reads `length` bytes of stdin (gzip when `compressed`) into a private file, `$t`; with
    /// `template`, made there (`mktemp` in the system's temporary directory when it cannot be).
    private static func receive(length: Int, compressed: Bool, in template: String? = nil) -> String {
        let read = compressed ? "head -c \(length) | gzip -dc" : "head -c \(length)"
        let make = template.map { "t=$(mktemp \($0) 2>/dev/null) || t=$(mktemp) || exit 125; " }
        return (make ?? "t=$(mktemp) || exit 125; ") + "\(read) > \"$t\" || { rm -f \"$t\"; exit 125; }; "
    }

    /// The script that rebuilds a program from the text kept as `name`, checks it is `target`
    /// (its SHA-256), keeps it in place of the old one, and runs it.
    ///
    /// The kept text is read front to back on one descriptor, each copy with one process: `head
    /// -c`, or after bytes the new text drops, GNU `dd`, which skips them (a seek from where the
    /// last piece ended) and copies in one (two `head -c`, one into /dev/null, cost twice the
    /// processes, the most a deployment's programs start on a host). An edit's copies come in
    /// the kept text's order. A kept text that is not the base the runner meant rebuilds into
    /// something else, and the digest turns it away.
    static func editScript(_ edit: ProgramEdit, name: String, target: String, sudo: Bool) -> String {
        var lines = [
            "rm -f \"$0\"",
            "t_d=\(keptDirectory); t_c=\"$t_d/\(name)\"",
            "t_n=$(mktemp \"$t_d/.r.XXXXXX\" 2>/dev/null) || t_n=$(mktemp) || exit 125",
            // Nothing ran: drain the input the runner is still sending, and say so.
            "t_miss() { rm -f \"$t_n\"; cat >/dev/null; printf '%s\\n' '\(missLine)'; exit \(missStatus); }",
            "[ -f \"$t_c\" ] || t_miss",
            "{",
        ]
        var position = 0
        for piece in edit.pieces {
            switch piece {
            case .copy(let offset, let count):
                precondition(offset >= position, "an edit's copies come in the kept text's order")
                if offset > position {
                    lines.append(
                        "dd skip=\(offset - position) count=\(count) iflag=skip_bytes,count_bytes bs=65536 status=none >&3"
                    )
                } else {
                    lines.append("head -c \(count) >&3")
                }
                position = offset + count
            case .insert(let bytes):
                lines.append(
                    "printf %s " + ShellWord.quoted(String(decoding: bytes, as: UTF8.self)).description + " >&3")
            }
        }
        lines += [
            "} 3> \"$t_n\" < \"$t_c\" || t_miss",
            "case $(sha256sum < \"$t_n\") in '\(target)  -') ;; *) t_miss ;; esac",
            "ln -f \"$t_n\" \"$t_c\" 2>/dev/null",
            run("$t_n", sudo: sudo),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func run(_ file: String, sudo: Bool) -> String {
        sudo
            ? "exec sudo -n env TARMAC_SESSION_PID=\"$PPID\" sh \"\(file)\""
            : "TARMAC_SESSION_PID=$PPID; export TARMAC_SESSION_PID; exec sh \"\(file)\""
    }
}
