/// The frame every host program shares, and the small shell helpers the programs call.
///
/// A program starts with `prelude`: strict-ish settings, the protocol stream moved to file
/// descriptor 3 (so whatever a tool prints lands on stderr and can never forge a `@` line),
/// and the helper functions below. It ends with `finish`, which prints `@done 0`; every
/// failure goes through `t_fail`, which prints `@step <label> failed`, a `@note`, `@done 1`
/// and exits. Paths never appear in protocol lines: notes name them by index.
enum Bookkeeping {
    /// The search path of every program, and of the hook scripts' clean environment.
    static let searchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The opening lines of every program: settings, protocol descriptor and helpers.
    static func prelude(_ title: String) -> ShellScript {
        var script = ShellScript()
        script.comment("tarmac: \(title)")
        script.comment("Protocol lines go to descriptor 3; every tool's own output goes to stderr.")
        script.line("set -u")
        script.line("umask 022")
        script.line("LC_ALL=C; export LC_ALL")
        script.run(.assignment("PATH", searchPath), ";", "export", "PATH")
        script.line("exec 3>&1 1>&2")
        script.line("t_let() { eval \"$1=\\$2\"; }")
        script.line("t_note() { printf '@note %s\\n' \"$1\" >&3; }")
        script.line(
            "t_disk_full() { case $1 in *'No space left on device'*|*'Disk quota exceeded'*) return 0 ;; esac; return 1; }"
        )
        script.line("t_fail() {")
        script.line("  printf '@step %s failed\\n@note %s\\n' \"$1\" \"$2\" >&3")
        script.line("  [ -z \"${3+x}\" ] || printf 'tarmac: %s: %s\\n' \"$2\" \"$3\" >&2")
        script.line("  printf '@done 1\\n' >&3")
        script.line("  exit 1")
        script.line("}")
        return script
    }

    /// The last line of a program that got this far: `@done 0`.
    static func finish(_ script: inout ShellScript) {
        script.line("printf '@done 0\\n' >&3")
    }

    /// Sets a shell variable (whose name is tarmac's own syntax) to a quoted value.
    static func assign(_ name: StaticString, _ value: String, in script: inout ShellScript) {
        script.run("t_let", .literal(name), .quoted(value))
    }

    /// Writes `text` (no trailing newline) to `path` atomically: a new temporary file that
    /// `mktemp` makes (O_EXCL, so never through a planted link) in the same directory, then a
    /// rename over `path`, which replaces a link there instead of following it.
    static func writeFile(_ path: String, text: String, label: StaticString, in script: inout ShellScript) {
        let slash = path.lastIndex(of: "/") ?? path.startIndex
        let template = path[..<slash] + "/." + path[path.index(after: slash)...] + ".XXXXXX"
        script.run(
            "t_tmp=$(mktemp", "--", .quoted(String(template)), ")", "&&", "printf", "'%s'", .quoted(text), ">",
            "\"$t_tmp\"", "&&", "mv", "-fT", "--", "\"$t_tmp\"", .quoted(path), "||",
            "{", "rm", "-f", "--", "${t_tmp:+\"$t_tmp\"}", ";", "t_fail", .literal(label),
            .quoted("could not write \(label)"), .quoted(path), ";", "}")
    }

    /// A one-line form of a path for human messages: control characters and backslashes
    /// escaped, so a newline in a name cannot split a protocol line.
    static func display(_ path: String) -> String {
        var out = ""
        for scalar in path.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Decodes one line of `base64` (RFC 4648, `=` padding only at the end); nil for anything else.
    static func decodeBase64<Text: Collection>(_ text: Text) -> [UInt8]? where Text.Element == UInt8 {
        guard text.count % 4 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 4 * 3)
        var quad: UInt32 = 0
        var count = 0
        var padding = 0
        for c in text {
            let value: UInt32
            switch c {
            case 0x41...0x5A: value = UInt32(c - 0x41)
            case 0x61...0x7A: value = UInt32(c - 0x61 + 26)
            case 0x30...0x39: value = UInt32(c - 0x30 + 52)
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                value = 0
            default: return nil
            }
            if padding > 0 && c != UInt8(ascii: "=") { return nil }
            quad = quad << 6 | value
            count += 1
            if count == 4 {
                bytes.append(UInt8(quad >> 16 & 0xFF))
                bytes.append(UInt8(quad >> 8 & 0xFF))
                bytes.append(UInt8(quad & 0xFF))
                (quad, count) = (0, 0)
            }
        }
        guard padding <= 2 else { return nil }
        bytes.removeLast(padding)
        return bytes
    }

    /// Decodes lowercase or uppercase hex digits (as `od -An -tx1` prints them) into bytes.
    static func decodeHex(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for c in text.utf8 {
            let nibble: UInt8
            switch c {
            case 0x30...0x39: nibble = c - 0x30
            case 0x61...0x66: nibble = c - 0x61 + 10
            case 0x41...0x46: nibble = c - 0x41 + 10
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? bytes : nil
    }
}

extension ShellScript {
    /// Appends one line of tarmac's own shell syntax (no data) at the current indentation.
    mutating func line(_ syntax: StaticString) {
        run(.literal(syntax))
    }
}
