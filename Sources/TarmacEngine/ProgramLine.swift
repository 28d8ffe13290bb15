/// The line protocol every program tarmac sends to a host speaks on stdout.
///
/// A program prints structured records as lines starting with `@`; anything else is text a
/// hook or a tool printed. Values that may hold newlines (paths) are never printed: records
/// refer to them by their index in the program's own argument list. The last line of every
/// program is `@done N`: a transport that sees the channel close without it reports the
/// program as lost, never as a success.
///
///     @fact <key> <value…>       one fact of a probe (value runs to the end of the line)
///     @o <text>                  a line a hook printed on stdout
///     @e <text>                  a line a hook printed on stderr
///     @note <text>               a warning the program wants the user to see
///     @step <name> <status…>     a step finished (e.g. `placed:3 ok`, `copy:12 failed`,
///                                `script:0 failed:3 120`; each program documents its own)
///     @fallback <reason>         a delta download cannot be used: the full bundle must be sent
///     @done <status>             the program's own exit status; always last
public enum ProgramLine: Sendable, Equatable {
    case fact(key: String, value: String)
    case output(stream: OutputStream, text: String)
    case note(String)
    case step(name: String, status: String)
    /// `DeltaProgram` could not rebuild the archive from the base (one line, the host's words).
    case fallback(String)
    case done(status: Int32)
    case text(String)

    public enum OutputStream: String, Sendable, Equatable {
        case stdout, stderr
    }

    /// Parses one line (without its newline).
    public static func parse(_ line: Substring) -> ProgramLine {
        // Bytes, not characters: a probe answers with a line per path.
        guard line.utf8.first == UInt8(ascii: "@") else { return .text(String(line)) }
        let (head, rest) = split(line.dropFirst())
        switch head {
        case "fact":
            let (key, value) = split(rest)
            return .fact(key: String(key), value: String(value))
        case "o": return .output(stream: .stdout, text: String(rest))
        case "e": return .output(stream: .stderr, text: String(rest))
        case "note": return .note(String(rest))
        case "step":
            let (name, status) = split(rest)
            return .step(name: String(name), status: String(status))
        case "fallback": return .fallback(String(rest))
        case "done":
            if let status = Int32(rest) { return .done(status: status) }
            return .text(String(line))
        default: return .text(String(line))
        }
    }

    private static func split(_ text: Substring) -> (Substring, Substring) {
        guard let space = text.utf8.firstIndex(of: UInt8(ascii: " ")) else { return (text, "") }
        return (text[..<space], text[text.utf8.index(after: space)...])
    }
}
