/// Renders values for messages: always in double quotes, with control characters escaped.
public enum Quote {
    /// `"value"` with `"`, `\` and control characters escaped, so a message stays on one line.
    public static func text(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A list for messages: `"a", "b" and "c"`.
    static func list(_ values: [String]) -> String {
        let quoted = values.map(text)
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    /// A plain comma list without quotes: `a, b, c`.
    static func plainList(_ values: [String]) -> String {
        values.joined(separator: ", ")
    }
}
