import Foundation
import Testing

@testable import TarmacSigning

/// An ssh-ed25519 key line with the given fill byte; only its shape matters to the parser.
func keyLine(_ fill: UInt8, comment: String = "") -> String {
    var blob: [UInt8] = [0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 32]
    blob += [UInt8](repeating: fill, count: 32)
    let line = "ssh-ed25519 " + Data(blob).base64EncodedString()
    return comment.isEmpty ? line : line + " " + comment
}

/// The key of `keyLine(fill)`.
func key(_ fill: UInt8) throws -> SSHPublicKey { try SSHPublicKey(authorizedKeyLine: keyLine(fill)) }

let utc = TimeZone(identifier: "UTC")!

/// allowed_signers files and plain key files are read line by line as ssh-keygen reads them.
@Suite struct TrustFileTests {
    private func parse(_ text: String, timeZone: TimeZone = utc) throws -> TrustFile {
        try TrustFile.parse(text, source: "signers", timeZone: timeZone)
    }

    private func error(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func plainKeyLinesNameNoPrincipal() throws {
        let file = try parse("# release keys\n\n\(keyLine(1, comment: "release@ci"))\n  \(keyLine(2))\n")
        #expect(file.signers.map(\.principals) == [nil, nil])
        #expect(file.signers.map(\.source) == ["signers:3", "signers:4"])
        #expect(file.signers[0].key.comment == "release@ci")
        #expect(file.signers[1].key.isSameKey(as: try key(2)))
        #expect(file.revoked.isEmpty)
    }

    @Test func allowedSignersLineWithPrincipalsAndComment() throws {
        let file = try parse("ci@example.com,ops@* \(keyLine(1, comment: "the ci key"))")
        let signer = try #require(file.signers.first)
        #expect(signer.principals == "ci@example.com,ops@*")
        #expect(signer.key.isSameKey(as: try key(1)))
        #expect(signer.key.comment == "the ci key")
        #expect(signer.namespaces == nil && signer.validAfter == nil && signer.validBefore == nil)
    }

    @Test func quotedPrincipalsMayHoldBlanks() throws {
        let file = try parse("\"release team,ci\"\t\(keyLine(1))")
        #expect(file.signers.first?.principals == "release team,ci")
    }

    @Test func optionsAreReadWithQuotesEscapesAndAnyCase() throws {
        let line =
            "ci NAMESPACES=\"tarmac,fi\\\"le\",Valid-After=\"20240101\",valid-before=\"20250102030405Z\" \(keyLine(1))"
        let signer = try #require(try parse(line).signers.first)
        #expect(signer.namespaces == "tarmac,fi\"le")
        #expect(signer.validAfter == Date(timeIntervalSince1970: 1_704_067_200))  // 2024-01-01 00:00 UTC
        #expect(signer.validBefore == Date(timeIntervalSince1970: 1_735_787_045))  // 2025-01-02 03:04:05 UTC
    }

    @Test func timesWithoutZAreLocal() throws {
        let berlinWinter = TimeZone(secondsFromGMT: 3600)!
        let signer = try #require(
            try parse("ci valid-before=\"202401011200\" \(keyLine(1))", timeZone: berlinWinter).signers.first)
        #expect(signer.validBefore == Date(timeIntervalSince1970: 1_704_067_200 + 11 * 3600))
        let utcSigner = try #require(
            try parse("ci valid-before=\"202401011200UTC\" \(keyLine(1))", timeZone: berlinWinter).signers.first)
        #expect(utcSigner.validBefore == Date(timeIntervalSince1970: 1_704_067_200 + 12 * 3600))
    }

    @Test func revokedMarkerLinesRevokeTheirKey() throws {
        let file = try parse("@revoked \(keyLine(1))\n@revoked * \(keyLine(2))\nci \(keyLine(3))")
        #expect(file.revoked.map(\.source) == ["signers:1", "signers:2"])
        #expect(try file.revoked[0].key?.isSameKey(as: key(1)) == true)
        #expect(try file.revoked[1].key?.isSameKey(as: key(2)) == true)
        #expect(file.signers.count == 1)
    }

    /// Each damaged line, with the phrase its error must contain.
    static let damaged: [(String, String)] = [
        (
            "ci valid-before=20240101 \(keyLine(1))",
            "signers:1: bad options: the value of valid-before= must be in double quotes"
        ),
        ("ci namespaces=\"file\",foo=\"x\" \(keyLine(1))", "signers:1: bad options: unknown option 'foo'"),
        ("ci namespaces=\"a\",namespaces=\"b\" \(keyLine(1))", "namespaces= is given twice"),
        ("ci namespaces=\"a\", \(keyLine(1))", "the options end with a comma"),
        (
            "ci valid-after=\"20250101\",valid-before=\"20240101\" \(keyLine(1))",
            "valid-before is not later than valid-after"
        ),
        ("ci valid-before=\"2024011\" \(keyLine(1))", "valid-before=\"2024011\" is not a time"),
        ("ci valid-before=\"20241301\" \(keyLine(1))", "is not a time"),
        ("ci namespaces=\"tarmac \(keyLine(1))", "opening quote and no closing one"),
        ("ci", "signers:1: not an allowed_signers line: it has principals but no key"),
        ("ci namespaces=\"x\"", "principals and options but no key"),
        ("ci namespaces=\"x\" AAAA", "found `AAAA` where the key"),
        (
            "ci cert-authority \(keyLine(1))",
            "signers:1: cert-authority lines trust SSH certificates, which tarmac does not support"
        ),
        ("@cert-authority *.example.com \(keyLine(1))", "does not support"),
        ("ssh-ed25519 AAAAdamaged", "signers:1: the ssh-ed25519 key's base64 data is damaged"),
        ("ci ssh-ed25519 AAAAdamaged", "signers:1: the ssh-ed25519 key's base64 data is damaged"),
        ("ci namespaces=\"x\" ssh-ed25519 AAAAdamaged", "signers:1: the ssh-ed25519 key's base64 data is damaged"),
        ("@revoked nothing-here", "an @revoked marker but no key"),
        ("# only a comment\n", "signers trusts no key"),
        ("@revoked \(keyLine(1))", "signers trusts no key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----", "armored file"),
    ]

    @Test(arguments: damaged)
    func damagedLinesAreRefusedWithFileAndLine(text: String, phrase: String) {
        let message = error(text)
        #expect(message.contains(phrase), "\(message)")
    }

    @Test func revokedKeysFileListsKeysAndRefusesOtherLines() throws {
        let keys = try RevokedKeysFile.parse(
            Array("# gone\n\n\(keyLine(1, comment: "old laptop"))\n\(keyLine(2))\n".utf8), source: "revoked")
        #expect(keys.map(\.source) == ["revoked:3", "revoked:4"])
        #expect(try RevokedKeysFile.parse([], source: "revoked").isEmpty)
        #expect(throws: SigningError.self) { try RevokedKeysFile.parse(Array("ci \(keyLine(1))".utf8), source: "r") }
    }

    /// A KRL: magic, format version 1, version/date/flags, reserved, comment, then the sections.
    private func krl(_ sections: [(UInt8, [[UInt8]])]) -> [UInt8] {
        func string(_ bytes: [UInt8]) -> [UInt8] {
            [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: bytes.count >> $0) } + bytes
        }
        var bytes =
            Array("SSHKRL\n\0".utf8) + [0, 0, 0, 1] + [UInt8](repeating: 0, count: 24) + string([]) + string([])
        for (type, values) in sections { bytes += [type] + string(values.flatMap(string)) }
        return bytes
    }

    @Test func krlRevokesExplicitKeysAndHashes() throws {
        let fingerprintSHA256 = try Array(Data(base64Encoded: String(key(2).fingerprint.dropFirst(7)) + "=")!)
        let revoked = try RevokedKeysFile.parse(
            krl([(1, [[9, 9]]), (2, [key(1).wireBlob]), (5, [fingerprintSHA256])]), source: "r.krl")
        #expect(revoked.map(\.source) == ["r.krl (KRL)", "r.krl (KRL)"])
        #expect(try revoked[0].revokes(key(1)) && !revoked[0].revokes(key(2)))
        #expect(try revoked[1].revokes(key(2)) && !revoked[1].revokes(key(1)))
    }

    @Test(
        arguments: [
            ([(4, [[1]])], "the KRL r.krl is signed, and tarmac does not check KRL signatures"),
            ([(7, [[1]])], "the KRL r.krl has a section of unknown type 7"),
            ([(3, [[1, 2, 3]])], "the KRL r.krl holds a key hash of the wrong length"),
        ] as [([(UInt8, [[UInt8]])], String)])
    func krlProblemsAreRefused(sections: [(UInt8, [[UInt8]])], phrase: String) {
        #expect(throws: SigningError.self) { try RevokedKeysFile.parse(krl(sections), source: "r.krl") }
        do {
            _ = try RevokedKeysFile.parse(krl(sections), source: "r.krl")
        } catch {
            #expect("\(error)".contains(phrase), "\(error)")
        }
        let truncated = Array(krl([]).dropLast(3))
        #expect(throws: SigningError.self) { try RevokedKeysFile.parse(truncated, source: "r.krl") }
    }
}

/// OpenSSH's wildcard patterns and pattern lists.
@Suite struct OpenSSHPatternTests {
    @Test(arguments: [
        ("ci@example.com", "ci@example.com", true), ("ci@example.com", "*@example.com", true),
        ("ci@example.com", "c?@*", true), ("ci@example.com", "*", true), ("", "*", true), ("", "", true),
        ("ci", "", false), ("ci@example.com", "*@example.org", false), ("ci", "c", false), ("ci", "ci?", false),
        ("aXbXc", "a*b*c", true), ("abc", "a**c", true), ("abcd", "a*c", false),
    ])
    func patterns(string: String, pattern: String, expected: Bool) {
        #expect(OpenSSHPattern.matches(string, pattern: pattern) == expected)
    }

    @Test func listsNegateAndMatch() {
        #expect(OpenSSHPattern.match("tarmac", list: "file,tar*") == .matched)
        #expect(OpenSSHPattern.match("tarmac", list: "file,git") == .none)
        #expect(OpenSSHPattern.match("tarmac", list: "*,!tarmac") == .negated)
        #expect(OpenSSHPattern.match("tarmac", list: "!tarmac,*") == .negated)
        #expect(OpenSSHPattern.match("git", list: "*,!tarmac") == .matched)
    }
}

/// Times as ssh-keygen reads them in allowed_signers options.
@Suite struct OpenSSHTimeTests {
    @Test(arguments: [
        ("20240101", 1_704_067_200.0), ("20240101Z", 1_704_067_200.0), ("202401011230z", 1_704_112_200.0),
        ("20240101123045Z", 1_704_112_245.0), ("20240101123045utc", 1_704_112_245.0),
    ])
    func accepted(text: String, seconds: Double) {
        #expect(OpenSSHTime.parse(text, localTimeZone: utc) == Date(timeIntervalSince1970: seconds))
    }

    @Test(arguments: ["", "Z", "2024", "2024010", "202401011", "2024-01-01", "20240230", "20240101250000", "19700101Z"])
    func refused(text: String) {
        #expect(OpenSSHTime.parse(text, localTimeZone: utc) == nil)
    }

    @Test func describedInUTC() {
        #expect(OpenSSHTime.describe(Date(timeIntervalSince1970: 1_704_112_245)) == "2024-01-01 12:30:45 UTC")
    }
}
