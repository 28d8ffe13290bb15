/// Reads small files from a host as `base64` with their size, so any bytes survive the line
/// protocol and output cut short is refused:
///
///     @fact found <index>           which candidate (or record) exists
///     @fact size <index> <bytes>    its size
///     @fact b64 …                   its bytes, in base64 lines
///     @fact missing                 none of the candidates does (`render`)
public enum ReadFileProgram {
    /// The program that prints the first of `candidates` that exists.
    public static func render(candidates: [String]) -> ShellScript {
        var script = ShellScript()
        script.comment("Print the first existing file of the candidates.")
        script.run("exec", "3>&1")
        for (index, path) in candidates.enumerated() {
            script.ifThen(["[", "-f", .quoted(path), "]"]) { s in
                printFile(index, path: path, into: &s)
                s.run("printf", "'@done 0\\n'")
                s.run("exit", "0")
            }
        }
        script.run("printf", "'@fact missing\\n@done 0\\n'")
        return script
    }

    /// Prints the file at `path`, when it is a regular file, as `parseAll` reads it back.
    static func emit(_ index: Int, path: String, into script: inout ShellScript) {
        script.ifThen(["[", "-f", .quoted(path), "]"]) { s in printFile(index, path: path, into: &s) }
    }

    /// `@fact found <index>`, `@fact size <index> <bytes>`, then the bytes as `base64` lines.
    private static func printFile(_ index: Int, path: String, into s: inout ShellScript) {
        s.run("printf", "'@fact found %s\\n'", .number(index), ">&3")
        s.run("printf", "'@fact size %s %s\\n'", .number(index), "\"$(wc -c <", .quoted(path), ")\"", ">&3")
        s.run("base64", "-w", "76", "--", .quoted(path), "|", "sed", "'s/^/@fact b64 /'", ">&3")
    }

    /// Each file's bytes by its index, for a program that printed several
    /// (`HostRecordProgram.read(_:directories:layout:)`): `@fact found <i>`, `@fact size <i> <n>`,
    /// then its `b64` lines. A file not there has no entry; nil when a line does not decode or a
    /// file's bytes are not the size the host gave (the output was cut short).
    public static func parseAll(_ lines: [ProgramLine]) -> [Int: [UInt8]]? {
        var files: [Int: [UInt8]] = [:]
        var sizes: [Int: Int] = [:]
        var current: Int?
        for line in lines {
            guard case .fact(let key, let value) = line else { continue }
            switch key {
            case "found":
                guard let index = Int(value) else { return nil }
                current = index
                files[index] = []
            case "size":
                let parts = value.split(separator: " ")
                guard parts.count == 2, let index = Int(parts[0]), let size = Int(parts[1]) else { return nil }
                sizes[index] = size
            case "b64":
                guard let current, let bytes = Bookkeeping.decodeBase64(value.utf8) else { return nil }
                files[current, default: []] += bytes
            default: continue
            }
        }
        for (index, bytes) in files where sizes[index] != bytes.count { return nil }
        return files
    }

    /// The file `render` printed and which candidate it was; nil when none exists, or when
    /// its bytes did not arrive whole.
    public static func parse(_ lines: [ProgramLine]) -> (index: Int, bytes: [UInt8])? {
        guard let first = parseAll(lines)?.min(by: { $0.key < $1.key }) else { return nil }
        return (first.key, first.value)
    }
}
