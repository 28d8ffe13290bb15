import Foundation

/// A `--trust-key` file: OpenSSH allowed_signers lines, plain public key lines, or both,
/// with `#` comments, blank lines and `@revoked` marker lines.
public struct TrustFile: Sendable, Equatable {
    /// The lines that vouch for keys, in file order.
    public var signers: [AllowedSigner]
    /// The keys that `@revoked` lines refuse.
    public var revoked: [RevokedKey]

    /// Parses the text; `source` names the file in errors (`source:line: …`), and times without
    /// `Z` are read in `timeZone`, as ssh-keygen reads them in local time.
    public static func parse(_ text: String, source: String, timeZone: TimeZone = .current) throws -> TrustFile {
        if let label = Armor.firstLabel(in: text) {
            throw SigningError(
                .malformedKey,
                "\(source) is an armored file (\(label)), not a list of public keys; pass the .pub file, e.g. `key.pub` next to `key`, or an allowed_signers file"
            )
        }
        var file = TrustFile(signers: [], revoked: [])
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let place = "\(source):\(index + 1)"
            switch try AllowedSignersLine.parse(line, source: place, timeZone: timeZone) {
            case .signer(let signer)?: file.signers.append(signer)
            case .revoked(let revoked)?: file.revoked.append(revoked)
            case nil: continue
            }
        }
        guard !file.signers.isEmpty else {
            throw SigningError(
                .malformedKey,
                "\(source) trusts no key; add a line like `ci@example.com ssh-ed25519 AAAA…` (allowed_signers) or `ssh-ed25519 AAAA… comment`"
            )
        }
        return file
    }

    /// Reads and parses a trust file.
    public static func load(fromFileAt path: String, timeZone: TimeZone = .current) throws -> TrustFile {
        try parse(try readTextFile(at: path, what: "trusted key file"), source: path, timeZone: timeZone)
    }
}

/// A `--revoked` file, as `ssh-keygen -Y verify -r` reads it: a binary KRL, or public key
/// lines (`ssh-ed25519 AAAA… comment`) with `#` comments and blank lines.
public enum RevokedKeysFile {
    /// Parses the file's bytes, as a KRL when they start with its magic.
    public static func parse(_ bytes: [UInt8], source: String) throws -> [RevokedKey] {
        if bytes.starts(with: KRLFile.magic) { return try KRLFile.parse(bytes, source: source) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SigningError(.fileAccess, "the revoked key file \(source) is not text (not valid UTF-8)")
        }
        var keys: [RevokedKey] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.drop { AllowedSignersLine.isBlank($0) }
            guard let first = trimmed.first, first != "#" else { continue }
            let place = "\(source):\(index + 1)"
            guard let key = AllowedSignersLine.leadingKey(trimmed) else {
                throw SigningError(
                    .malformedKey,
                    "\(place): not a public key line; a revoked key file lists keys as `ssh-ed25519 AAAA… comment`, one a line"
                )
            }
            keys.append(RevokedKey(source: place, key: key))
        }
        return keys
    }

    /// Reads and parses a revoked key file.
    public static func load(fromFileAt path: String) throws -> [RevokedKey] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SigningError(
                .fileAccess,
                FileManager.default.fileExists(atPath: path)
                    ? "cannot read the revoked key file \(path): permission denied or not a regular file"
                    : "the revoked key file \(path) does not exist")
        }
        return try parse([UInt8](data), source: path)
    }
}
