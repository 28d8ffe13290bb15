/// Text from outside tarmac (hook output, host errors, build output) made safe to show on a
/// terminal: every control character becomes visible text, so a hook cannot set the window
/// title, clear the screen, write the clipboard (OSC 52) or move the cursor to forge a line.
///
/// ESC becomes `\e`, the other C0 controls and DEL `\xNN`, C1 controls and the Unicode
/// direction overrides `\u{NNNN}`. Tab stays a tab; a line feed stays one only when
/// `keepingNewlines` (tarmac's own multi-line messages), else it becomes `\n`.
public enum VisibleText {
    /// `text` with every control character written out as text.
    public static func escape(_ text: String, keepingNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingNewlines) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepingNewlines) else {
                out.append(scalar)
                continue
            }
            out.append(contentsOf: spelled(scalar).unicodeScalars)
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, _ keepingNewlines: Bool) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x0A: !keepingNewlines
        case 0x00..<0x20, 0x7F, 0x80..<0xA0: true
        // Bidirectional overrides and isolates reorder what follows them on the screen.
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    private static func spelled(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x1B: return "\\e"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x00..<0x20, 0x7F: return "\\x" + hex(scalar.value, width: 2)
        default: return "\\u{" + hex(scalar.value, width: 4) + "}"
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
