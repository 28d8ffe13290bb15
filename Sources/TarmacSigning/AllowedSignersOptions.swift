import Foundation

/// The options word of an allowed_signers line (`namespaces="…",valid-before="…"`), read by
/// the rules of OpenSSH's sshsigopt_parse: names case-insensitive, values in double quotes
/// (`\"` for a quote inside), each option at most once, and nothing unknown.
struct AllowedSignersOptions: Equatable {
    var certificateAuthority = false
    var namespaces: String?
    var validAfter: Date?
    var validBefore: Date?

    /// Parses `text`; errors begin with `source` (`path:line`) and name the option at fault.
    static func parse(_ text: String, source: String, timeZone: TimeZone) throws -> AllowedSignersOptions {
        var options = AllowedSignersOptions()
        var rest = Substring(text)
        while !rest.isEmpty {
            if take("cert-authority", from: &rest) {
                options.certificateAuthority = true
            } else if take("namespaces=", from: &rest) {
                guard options.namespaces == nil else { throw bad(source, "namespaces= is given twice") }
                options.namespaces = try quoted(&rest, option: "namespaces", source: source)
            } else if take("valid-after=", from: &rest) {
                guard options.validAfter == nil else { throw bad(source, "valid-after= is given twice") }
                options.validAfter = try time(&rest, option: "valid-after", source: source, timeZone: timeZone)
            } else if take("valid-before=", from: &rest) {
                guard options.validBefore == nil else { throw bad(source, "valid-before= is given twice") }
                options.validBefore = try time(&rest, option: "valid-before", source: source, timeZone: timeZone)
            }
            guard !rest.isEmpty else { break }
            guard rest.first == "," else {
                let name = rest.prefix { $0 != "=" && $0 != "," }
                throw bad(
                    source,
                    "unknown option '\(name)'; allowed_signers knows cert-authority, namespaces=, valid-after= and valid-before="
                )
            }
            rest = rest.dropFirst()
            guard !rest.isEmpty else { throw bad(source, "the options end with a comma") }
        }
        if let after = options.validAfter, let before = options.validBefore, before <= after {
            throw bad(source, "valid-before is not later than valid-after")
        }
        return options
    }

    /// Consumes `name` when the text starts with it, ignoring case.
    private static func take(_ name: String, from rest: inout Substring) -> Bool {
        guard rest.count >= name.count, rest.prefix(name.count).lowercased() == name else { return false }
        rest = rest.dropFirst(name.count)
        return true
    }

    /// A `"…"` value, with `\"` standing for a quote.
    private static func quoted(_ rest: inout Substring, option: String, source: String) throws -> String {
        guard rest.first == "\"" else {
            throw bad(source, "the value of \(option)= must be in double quotes, as in \(option)=\"…\"")
        }
        var value = ""
        var index = rest.index(after: rest.startIndex)
        while index < rest.endIndex, rest[index] != "\"" {
            let next = rest.index(after: index)
            if rest[index] == "\\", next < rest.endIndex, rest[next] == "\"" {
                value.append("\"")
                index = rest.index(after: next)
            } else {
                value.append(rest[index])
                index = next
            }
        }
        guard index < rest.endIndex else { throw bad(source, "the value of \(option)= has no closing quote") }
        rest = rest[rest.index(after: index)...]
        return value
    }

    private static func time(_ rest: inout Substring, option: String, source: String, timeZone: TimeZone) throws
        -> Date
    {
        let text = try quoted(&rest, option: option, source: source)
        guard let date = OpenSSHTime.parse(text, localTimeZone: timeZone) else {
            throw bad(
                source,
                "\(option)=\"\(text)\" is not a time; write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with Z for UTC"
            )
        }
        return date
    }

    private static func bad(_ source: String, _ reason: String) -> SigningError {
        SigningError(.malformedKey, "\(source): bad options: \(reason)")
    }
}
