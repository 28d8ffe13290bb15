/// Reads one small file from a host, as hex facts, so any bytes survive the line protocol.
///
///     @fact found <index>           which candidate exists
///     @fact missing                 none of them does
///     @fact hex 23 21 2f 62 …       its bytes, in lines of 16
public enum ReadFileProgram {
    /// The program that prints the first of `candidates` that exists.
    public static func render(candidates: [String]) -> ShellScript {
        var script = ShellScript()
        script.comment("Print the first existing file of the candidates as hex.")
        script.run("exec", "3>&1")
        for (index, path) in candidates.enumerated() {
            script.ifThen(["[", "-f", .quoted(path), "]"]) { s in
                s.run("printf", "'@fact found %s\\n'", .number(index))
                s.run("od", "-An", "-v", "-tx1", "--", .quoted(path), "|", "sed", "'s/^/@fact hex/'")
                s.run("printf", "'@done 0\\n'")
                s.run("exit", "0")
            }
        }
        script.run("printf", "'@fact missing\\n@done 0\\n'")
        return script
    }

    /// Prints the file at `path`, when it is a regular file, as `parseAll` reads it back:
    /// `@fact found <index>`, `@fact size <index> <bytes>`, then its bytes as `base64` lines.
    static func emit(_ index: Int, path: String, into script: inout ShellScript) {
        script.ifThen(["[", "-f", .quoted(path), "]"]) { s in
            s.run("printf", "'@fact found %s\\n'", .number(index), ">&3")
            s.run("printf", "'@fact size %s %s\\n'", .number(index), "\"$(wc -c <", .quoted(path), ")\"", ">&3")
            s.run("base64", "-w", "76", "--", .quoted(path), "|", "sed", "'s/^/@fact b64 /'", ">&3")
        }
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

    /// The file's bytes and which candidate it was, or nil when none exists.
    public static func parse(_ lines: [ProgramLine]) -> (index: Int, bytes: [UInt8])? {
        var found: Int?
        var bytes: [UInt8] = []
        for line in lines {
            guard case .fact(let key, let value) = line else { continue }
            switch key {
            case "found": found = Int(value)
            case "hex": bytes += value.split(separator: " ").compactMap { UInt8($0, radix: 16) }
            default: continue
            }
        }
        return found.map { ($0, bytes) }
    }
}
