/// Looks inside a hook script for what breaks it on a Linux host.
enum ScriptContentCheck {
    /// Warnings for a UTF-8 byte-order mark, CRLF line ends and a missing `#!` line.
    static func run(_ bytes: [UInt8], name: String, at location: SourceLocation) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            diagnostics.append(
                .warning(
                    "\(name) starts with a UTF-8 byte-order mark, which hides its #! line from the kernel; "
                        + "save it as UTF-8 without BOM", at: location))
            body = body.dropFirst(3)
        }
        if let crlf = crlfLine(body) {
            diagnostics.append(
                .warning(
                    "\(name) has Windows (CRLF) line ends (first on line \(crlf)), so the shell sees stray \\r characters; "
                        + "convert it to LF line ends", at: location))
        }
        if !body.starts(with: [0x23, 0x21]) {
            diagnostics.append(
                .warning(
                    "\(name) has no #! line, so tarmac runs it with /bin/sh; add one, e.g. #!/bin/sh", at: location))
        }
        return diagnostics
    }

    private static func crlfLine(_ bytes: ArraySlice<UInt8>) -> Int? {
        var line = 1
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A {
                if previous == 0x0D { return line }
                line += 1
            }
            previous = byte
        }
        return nil
    }
}
