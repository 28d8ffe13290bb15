import Foundation
import TarmacSigning
import Testing

/// Every way a signature can be wrong is rejected, with a reason that names what failed.
@Suite struct VerificationTests {
    /// A key made by ssh-keygen, a message, and tarmac's signature over it.
    private struct Fixture {
        let key: SSHSigningKey
        let message = Array("release 42\n".utf8)
        let armored: String

        init(_ scratch: Scratch) throws {
            key = try SSHSigningKey(contentsOfFile: try scratch.makeKey("key"))
            armored = try SSHSignature.sign(digest: SSHSigHash.sha512.digest(message), namespace: "tarmac", key: key)
        }

        func verify(
            _ armored: String? = nil, message: [UInt8]? = nil, namespace: String = "tarmac",
            trusted: [SSHPublicKey]? = nil
        ) throws -> VerificationResult {
            let signature = try SSHSignature.parse(armored: armored ?? self.armored)
            let digest = signature.hash.digest(message ?? self.message)
            return SSHSignature.verify(
                signature, digest: digest, namespace: namespace, trusted: trusted ?? [key.publicKey])
        }
    }

    @Test func untouchedMessageIsValid() throws {
        let fixture = try Fixture(Scratch())
        #expect(try fixture.verify() == .valid(signer: fixture.key.publicKey))
    }

    @Test func tamperedMessageIsRejected() throws {
        let fixture = try Fixture(Scratch())
        let verdict = try fixture.verify(message: Array("release 43\n".utf8))
        #expect(reason(verdict)?.contains("does not match the file") == true)
    }

    @Test func wrongNamespaceIsRejected() throws {
        let fixture = try Fixture(Scratch())
        let verdict = try fixture.verify(namespace: "other")
        #expect(reason(verdict)?.contains("namespace 'tarmac', not 'other'") == true)
    }

    @Test func untrustedKeyIsRejected() throws {
        let scratch = try Scratch()
        let fixture = try Fixture(scratch)
        let stranger = try SSHSigningKey(contentsOfFile: try scratch.makeKey("stranger")).publicKey
        let verdict = try fixture.verify(trusted: [stranger])
        #expect(
            reason(verdict)?.contains("made by key \(fixture.key.publicKey.fingerprint), which is not a trusted key")
                == true)
        #expect(reason(verdict)?.contains(stranger.fingerprint) == true)
        #expect(reason(try fixture.verify(trusted: []))?.contains("no keys are trusted") == true)
    }

    @Test func trustedKeyAmongSeveralIsFoundWithItsComment() throws {
        let scratch = try Scratch()
        let fixture = try Fixture(scratch)
        let other = try SSHSigningKey(contentsOfFile: try scratch.makeKey("other")).publicKey
        let listed = try SSHPublicKey(
            authorizedKeyLine: "ssh-ed25519 \(base64(fixture.key.publicKey.wireBlob)) ops team")
        let verdict = try fixture.verify(trusted: [other, listed])
        #expect(verdict == .valid(signer: listed))
    }

    @Test func flippedSignatureBitIsRejected() throws {
        let fixture = try Fixture(Scratch())
        var blob = try armorBody(fixture.armored)
        blob[blob.count - 1] ^= 0x01
        #expect(reason(try fixture.verify(rearmor(blob)))?.contains("does not match") == true)
    }

    @Test func ecdsaSignatureIsReportedAsUnsupported() throws {
        let scratch = try Scratch()
        let keyPath = try scratch.makeKey("ec", type: "ecdsa")
        try scratch.write("m", to: "m")
        #expect(try scratch.ssh(["-Y", "sign", "-n", "tarmac", "-f", keyPath, scratch.file("m")]).status == 0)
        let signature = try SSHSignature.parse(contentsOfFile: scratch.file("m.sig"))
        let trusted = try SSHPublicKey.keys(fromFileAt: keyPath + ".pub")
        #expect(trusted[0].algorithm == "ecdsa-sha2-nistp256")
        let digest = try SSHSignature.digest(ofFileAt: scratch.file("m"), using: signature.hash)
        let verdict = SSHSignature.verify(signature, digest: digest, namespace: "tarmac", trusted: trusted)
        #expect(reason(verdict)?.hasPrefix("unsupported key type ecdsa-sha2-nistp256") == true)
    }

    @Test func digestOfTheWrongHashIsRejected() throws {
        let fixture = try Fixture(Scratch())
        let signature = try SSHSignature.parse(armored: fixture.armored)
        let verdict = SSHSignature.verify(
            signature, digest: SSHSigHash.sha256.digest(fixture.message), namespace: "tarmac",
            trusted: [fixture.key.publicKey])
        #expect(reason(verdict)?.contains("uses sha512") == true)
    }

    // MARK: malformed armor and blobs are parse errors

    /// Ways an armored signature file gets damaged, each with the phrase its error must contain.
    enum ArmorDamage: CaseIterable, Sendable {
        case missingBegin, cutShort, badBase64, emptyBody, notASignature

        func apply(to armored: String) -> String {
            switch self {
            case .missingBegin: String(armored.drop { $0 != "\n" })
            case .cutShort: String(armored.prefix(armored.count / 2))
            case .badBase64: armored.replacingOccurrences(of: "U1NIU0lH", with: "U1N*U0lH")
            case .emptyBody: "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n"
            case .notASignature: "hello\n"
            }
        }

        var expected: String {
            switch self {
            case .missingBegin: "must start with `-----BEGIN SSH SIGNATURE-----`"
            case .cutShort: "incomplete: no `-----END SSH SIGNATURE-----`"
            case .badBase64: "base64 body is damaged"
            case .emptyBody: "empty between"
            case .notASignature: "not an SSH signature"
            }
        }
    }

    @Test(arguments: ArmorDamage.allCases)
    func corruptedArmorIsRejected(damage: ArmorDamage) throws {
        let fixture = try Fixture(Scratch())
        let error = try #require(throws: SigningError.self) {
            try SSHSignature.parse(armored: damage.apply(to: fixture.armored), source: "b.tgz.sig")
        }
        #expect(error.code == .malformedSignature)
        #expect(error.message.hasPrefix("the signature b.tgz.sig is "))
        #expect(error.message.contains(damage.expected), "\(damage): \(error.message)")
    }

    @Test func badMagicTruncationAndTrailingBytesAreRejected() throws {
        let fixture = try Fixture(Scratch())
        let blob = try armorBody(fixture.armored)
        let cases: [([UInt8], String)] = [
            ([UInt8]("SSHSIH".utf8) + blob.dropFirst(6), "SSHSIG magic is missing"),
            (Array(blob.prefix(40)), "truncated or corrupt (reading the public key)"),
            (Array(blob.dropLast(10)), "truncated or corrupt (reading the signature)"),
            (blob + [0], "unexpected bytes after the signature"),
        ]
        for (bytes, expected) in cases {
            let error = try #require(throws: SigningError.self) { try SSHSignature.parse(armored: rearmor(bytes)) }
            #expect(error.code == .malformedSignature)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func unknownVersionAndHashAreUnsupported() throws {
        let fixture = try Fixture(Scratch())
        var newer = try armorBody(fixture.armored)
        newer[9] = 2
        let versionError = try #require(throws: SigningError.self) { try SSHSignature.parse(armored: rearmor(newer)) }
        #expect(versionError.code == .unsupportedSignature)
        #expect(versionError.message.contains("SSHSIG version 2"))

        let weak = try rearmor(
            replacing(Array("sha512".utf8), with: Array("md5xyz".utf8), in: armorBody(fixture.armored)))
        let hashError = try #require(throws: SigningError.self) { try SSHSignature.parse(armored: weak) }
        #expect(hashError.code == .unsupportedSignature)
        #expect(hashError.message.contains("hash algorithm 'md5xyz'"))
    }

    @Test func signingRejectsBadArguments() throws {
        let fixture = try Fixture(Scratch())
        let digest = SSHSigHash.sha512.digest(fixture.message)
        let empty = try #require(throws: SigningError.self) {
            try SSHSignature.sign(digest: digest, namespace: "", key: fixture.key)
        }
        #expect(empty.code == .invalidArgument)
        let short = try #require(throws: SigningError.self) {
            try SSHSignature.sign(digest: Array(digest.prefix(32)), namespace: "tarmac", key: fixture.key)
        }
        #expect(short.message.contains("32 bytes but sha512 digests have 64"))
    }
}

// MARK: helpers

private func reason(_ verdict: VerificationResult) -> String? {
    if case .invalid(let reason) = verdict { return reason }
    return nil
}

private func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

private func armorBody(_ armored: String) throws -> [UInt8] {
    let body = armored.split(separator: "\n").dropFirst().dropLast().joined()
    return [UInt8](try #require(Data(base64Encoded: body)))
}

private func rearmor(_ blob: [UInt8]) -> String {
    "-----BEGIN SSH SIGNATURE-----\n\(base64(blob))\n-----END SSH SIGNATURE-----\n"
}

private func replacing(_ needle: [UInt8], with replacement: [UInt8], in haystack: [UInt8]) throws -> [UInt8] {
    let start = try #require(haystack.indices.first { haystack[$0...].starts(with: needle) })
    var copy = haystack
    copy.replaceSubrange(start..<start + needle.count, with: replacement)
    return copy
}
