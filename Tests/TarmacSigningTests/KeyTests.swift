import Foundation
import TarmacSigning
import Testing

/// Reading private and public key files, and the errors for keys tarmac cannot use.
@Suite struct KeyTests {
    private func loadError(_ path: String) throws -> SigningError {
        try #require(throws: SigningError.self) { try SSHSigningKey(contentsOfFile: path) }
    }

    @Test func encryptedKeyExplainsHowToMakeASigningKey() throws {
        let scratch = try Scratch()
        let path = try scratch.makeKey("locked", passphrase: "secret")
        let error = try loadError(path)
        #expect(error.code == .encryptedKey)
        #expect(
            error.message
                == "the key \(path) is encrypted with a passphrase; tarmac signs with unencrypted ed25519 keys — make a dedicated signing key with `ssh-keygen -t ed25519 -N '' -f tarmac-signing-key`"
        )
    }

    @Test(arguments: [
        ("rsa", [] as [String], "is an RSA key; tarmac signs only with ed25519 keys"),
        ("rsa", ["-m", "PEM"], "is an RSA key; tarmac signs only with ed25519 keys"),
        ("ecdsa", [], "is an ECDSA key; tarmac signs only with ed25519 keys"),
        ("ecdsa", ["-m", "PEM"], "is an ECDSA key; tarmac signs only with ed25519 keys"),
        ("rsa", ["-m", "PKCS8"], "is a PKCS#8 key"),
    ])
    func otherKeyTypesAreRefusedForSigning(type: String, format: [String], expected: String) throws {
        let scratch = try Scratch()
        var arguments = ["-q", "-t", type, "-N", "", "-f", scratch.file("k")] + format
        if type == "rsa" { arguments += ["-b", "2048"] }
        try #require(try scratch.ssh(arguments).status == 0)
        let error = try loadError(scratch.file("k"))
        #expect(error.code == .unsupportedKeyType)
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(error.message.contains("ssh-keygen -t ed25519 -N ''"))
    }

    @Test func publicKeyGivenAsPrivateKeyIsExplained() throws {
        let scratch = try Scratch()
        let path = try scratch.makeKey("key")
        let error = try loadError(path + ".pub")
        #expect(
            error.message
                == "the key \(path).pub is a public key; signing needs the private key file (the one without .pub)")
    }

    @Test func missingAndDamagedKeyFiles() throws {
        let scratch = try Scratch()
        #expect(try loadError(scratch.file("nope")).message == "the signing key \(scratch.file("nope")) does not exist")

        let path = try scratch.makeKey("key")
        let body = try armorBody(scratch.read("key"))
        let damages: [([UInt8], String)] = [
            (Array(body.prefix(100)), "is truncated or corrupt (reading the private key section)"),
            (Array(body.prefix(98)) + [body[98] ^ 0xFF] + body.dropFirst(99), "fails the integrity check"),
            (Array(body.dropLast(40)) + [0xEE] + body.suffix(39), "key fields are inconsistent"),
            (Array("openssh-key-v2".utf8) + body.dropFirst(14), "openssh-key-v1 header is missing"),
        ]
        for (bytes, expected) in damages {
            try scratch.write(rearmor(bytes), to: "key")
            let error = try loadError(path)
            #expect(error.code == .malformedKey)
            #expect(error.message.hasPrefix("the key \(path) is "), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func signingKeyNeverPrintsKeyMaterial() throws {
        let scratch = try Scratch()
        let key = try SSHSigningKey(contentsOfFile: try scratch.makeKey("key"))
        let expected = "SSHSigningKey(ssh-ed25519 \(key.publicKey.fingerprint) tester@tarmac, private key: [REDACTED])"
        #expect("\(key)" == expected)
        #expect(String(reflecting: key) == expected)
        var dumped = ""
        dump(key, to: &dumped)
        #expect(dumped.contains("[REDACTED]"))
        #expect(!dumped.contains("rawRepresentation") && !dumped.contains("backing"))
    }

    @Test func publicKeyLineRoundTripsAndToleratesPrefixes() throws {
        let scratch = try Scratch()
        try scratch.makeKey("key", comment: "deploy bot@ci")
        let line = try scratch.read("key.pub").trimmingCharacters(in: .newlines)
        let key = try SSHPublicKey(authorizedKeyLine: line)
        #expect(key.algorithm == "ssh-ed25519")
        #expect(key.comment == "deploy bot@ci")
        #expect(key.authorizedKeyLine == line)
        #expect(key.description == "ssh-ed25519 \(key.fingerprint) deploy bot@ci")

        let withOptions = try SSHPublicKey(authorizedKeyLine: "restrict,command=\"true\" " + line)
        let allowedSigner = try SSHPublicKey(authorizedKeyLine: "ci@tarmac namespaces=\"tarmac\" " + line)
        #expect(withOptions == key && allowedSigner == key)
        let bare = try SSHPublicKey(authorizedKeyLine: line.split(separator: " ").prefix(2).joined(separator: " "))
        #expect(bare.comment.isEmpty && bare.isSameKey(as: key) && bare != key)
    }

    @Test func keyListSkipsCommentsAndNamesBadLines() throws {
        let scratch = try Scratch()
        try scratch.makeKey("a")
        try scratch.makeKey("b", type: "rsa")
        let text = "# release keys\n\n" + (try scratch.read("a.pub")) + (try scratch.read("b.pub"))
        let keys = try SSHPublicKey.keys(authorizedKeysText: text, source: "trusted.pub")
        #expect(keys.map(\.algorithm) == ["ssh-ed25519", "ssh-rsa"])

        let bad = try #require(throws: SigningError.self) {
            try SSHPublicKey.keys(authorizedKeysText: text + "ssh-ed25519 AAAAnotakey\n", source: "trusted.pub")
        }
        #expect(bad.message.hasPrefix("the public key trusted.pub:5 is not an OpenSSH public key"), "\(bad.message)")
        let none = try #require(throws: SigningError.self) {
            try SSHPublicKey.keys(authorizedKeysText: "# nothing\n", source: "trusted.pub")
        }
        #expect(none.message.contains("trusted.pub holds no public keys"))
        let privateGiven = try #require(throws: SigningError.self) {
            try SSHPublicKey(authorizedKeyLine: try scratch.read("a"))
        }
        #expect(privateGiven.message.contains("is an armored file (OPENSSH PRIVATE KEY)"))
    }
}

private func armorBody(_ armored: String) throws -> [UInt8] {
    let body = armored.split(separator: "\n").dropFirst().dropLast().joined()
    return [UInt8](try #require(Data(base64Encoded: body)))
}

private func rearmor(_ blob: [UInt8]) -> String {
    "-----BEGIN OPENSSH PRIVATE KEY-----\n\(Data(blob).base64EncodedString())\n-----END OPENSSH PRIVATE KEY-----\n"
}
