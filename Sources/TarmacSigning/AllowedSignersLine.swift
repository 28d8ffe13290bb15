import Foundation

/// Reads one line of a trust file the way ssh-keygen reads an allowed_signers line
/// (`principals [options] key`), plus plain public key lines and `@revoked` marker lines.
enum AllowedSignersLine {
    /// What a non-blank, non-comment line holds.
    enum Parsed: Equatable {
        case signer(AllowedSigner)
        case revoked(RevokedKey)
    }

    /// Parses a line; nil for blank and `#` lines. Errors begin with `source` (`path:line`).
    static func parse(_ line: Substring, source: String, timeZone: TimeZone) throws -> Parsed? {
        var rest = line.drop { isBlank($0) }
        while let last = rest.last, isBlank(last) { rest = rest.dropLast() }
        guard let first = rest.first, first != "#" else { return nil }
        if let key = leadingKey(rest) {
            return .signer(AllowedSigner(source: source, principals: nil, key: key))
        }
        let head = rest.prefix { !isBlank($0) }
        if head == "@revoked" {
            return .revoked(RevokedKey(source: source, key: try markedKey(rest.dropFirst(head.count), source: source)))
        }
        if head == "@cert-authority" { throw certificates(source) }
        if looksLikeKeyType(head) { throw damagedKey(head, source: source) }
        return .signer(try signer(rest, source: source, timeZone: timeZone))
    }

    /// `principals [options] key [comment]`.
    private static func signer(_ line: Substring, source: String, timeZone: TimeZone) throws -> AllowedSigner {
        var rest = line
        guard let principals = nextWord(&rest) else {
            throw malformed(source, "the principals have an opening quote and no closing one")
        }
        guard !rest.isEmpty else { throw malformed(source, "it has principals but no key") }
        if let key = leadingKey(rest) {
            return AllowedSigner(source: source, principals: principals, key: key)
        }
        let second = rest.prefix { !isBlank($0) }
        if looksLikeKeyType(second) { throw damagedKey(second, source: source) }
        let optionsText = try optionsWord(&rest, source: source)
        guard !rest.isEmpty else { throw malformed(source, "it has principals and options but no key") }
        guard let key = leadingKey(rest) else {
            let shown = rest.prefix { !isBlank($0) }.prefix(40)
            if looksLikeKeyType(shown) { throw damagedKey(shown, source: source) }
            throw malformed(source, "found `\(shown)` where the key (`ssh-ed25519 AAAA…`) should be")
        }
        let options = try AllowedSignersOptions.parse(optionsText, source: source, timeZone: timeZone)
        if options.certificateAuthority { throw certificates(source) }
        return AllowedSigner(
            source: source, principals: principals, key: key, namespaces: options.namespaces,
            validAfter: options.validAfter, validBefore: options.validBefore)
    }

    /// The next word, where `"…"` may hold blanks (ssh-keygen's strdelimw); nil on an unclosed quote.
    static func nextWord(_ rest: inout Substring) -> String? {
        guard let stop = rest.firstIndex(where: { isBlank($0) || $0 == "\"" }) else {
            defer { rest = rest[rest.endIndex...] }
            return String(rest)
        }
        var word = String(rest[..<stop])
        if rest[stop] == "\"" {
            let quoted = rest[rest.index(after: stop)...]
            guard let close = quoted.firstIndex(of: "\"") else { return nil }
            word += quoted[..<close]
            rest = quoted[quoted.index(after: close)...]
        } else {
            rest = rest[stop...]
        }
        rest = rest.drop { isBlank($0) }
        return word
    }

    /// The options word: up to the first blank outside double quotes (`\"` stays inside).
    private static func optionsWord(_ rest: inout Substring, source: String) throws -> String {
        var quoted = false
        var index = rest.startIndex
        while index < rest.endIndex, quoted || !isBlank(rest[index]) {
            let next = rest.index(after: index)
            if rest[index] == "\\", next < rest.endIndex, rest[next] == "\"" {
                index = rest.index(after: next)
                continue
            }
            if rest[index] == "\"" { quoted.toggle() }
            index = next
        }
        guard !quoted else { throw malformed(source, "the options have an opening quote and no closing one") }
        defer { rest = rest[index...].drop { isBlank($0) } }
        return String(rest[..<index])
    }

    /// The key when the text starts with `type base64`, the blob naming that same type.
    static func leadingKey(_ text: Substring) -> SSHPublicKey? {
        let words = text.split(maxSplits: 2, whereSeparator: isBlank)
        guard words.count >= 2, let data = Data(base64Encoded: String(words[1])) else { return nil }
        let blob = [UInt8](data)
        guard SSHPublicKey.algorithm(ofWireBlob: blob) == String(words[0]) else { return nil }
        let comment = words.count > 2 ? String(words[2]).trimmingCharacters(in: .whitespaces) : ""
        return try? SSHPublicKey(wireBlob: blob, comment: comment, subject: "the key")
    }

    /// The key on an `@revoked` line, after any host or principal patterns.
    private static func markedKey(_ rest: Substring, source: String) throws -> SSHPublicKey {
        var text = rest.drop { isBlank($0) }
        while !text.isEmpty {
            if let key = leadingKey(text) { return key }
            text = text.drop { !isBlank($0) }.drop { isBlank($0) }
        }
        throw malformed(source, "it has an @revoked marker but no key after it")
    }

    private static func looksLikeKeyType(_ word: Substring) -> Bool {
        ["ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-"].contains { word.hasPrefix($0) }
    }

    static func isBlank(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\r" || character == "\n"
    }

    private static func malformed(_ source: String, _ what: String) -> SigningError {
        SigningError(
            .malformedKey,
            "\(source): not an allowed_signers line: \(what); expected `principals [options] ssh-ed25519 AAAA…` or a public key line"
        )
    }

    private static func damagedKey(_ type: Substring, source: String) -> SigningError {
        SigningError(
            .malformedKey,
            "\(source): the \(type) key's base64 data is damaged or names another key type; copy the key from its .pub file again"
        )
    }

    private static func certificates(_ source: String) -> SigningError {
        SigningError(
            .malformedKey,
            "\(source): cert-authority lines trust SSH certificates, which tarmac does not support; list the signer's own public key instead"
        )
    }
}
