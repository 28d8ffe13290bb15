import Foundation
import TarmacSigning
import Testing

/// Signatures cross the tarmac / ssh-keygen boundary in both directions.
@Suite struct InteropTests {
    /// Signs `file` with tarmac and writes `file.sig`; returns the signing key.
    private func signWithTarmac(_ scratch: Scratch, file: String, hash: SSHSigHash = .sha512) throws -> SSHSigningKey {
        let key = try SSHSigningKey(contentsOfFile: try scratch.makeKey("key"))
        let digest = try SSHSignature.digest(ofFileAt: scratch.file(file), using: hash)
        let armored = try SSHSignature.sign(digest: digest, hash: hash, namespace: "tarmac", key: key)
        try scratch.write(armored, to: file + ".sig")
        try scratch.write("ci@tarmac " + key.publicKey.authorizedKeyLine + "\n", to: "allowed_signers")
        return key
    }

    private func keygenVerify(_ scratch: Scratch, file: String, namespace: String = "tarmac") throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try scratch.ssh(
            ["-Y", "verify", "-n", namespace, "-f", "allowed_signers", "-I", "ci@tarmac", "-s", file + ".sig"],
            stdinFile: scratch.file(file))
    }

    @Test(arguments: [SSHSigHash.sha512, .sha256])
    func ourSignatureVerifiesWithSSHKeygen(hash: SSHSigHash) throws {
        let scratch = try Scratch()
        try scratch.write("bundle bytes\n", to: "b.tgz")
        _ = try signWithTarmac(scratch, file: "b.tgz", hash: hash)
        let result = try keygenVerify(scratch, file: "b.tgz")
        #expect(result.status == 0, "ssh-keygen said: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("Good \"tarmac\" signature for ci@tarmac"))
    }

    @Test func sshKeygenRejectsOurSignatureUnderAnotherNamespace() throws {
        let scratch = try Scratch()
        try scratch.write("bundle bytes\n", to: "b.tgz")
        _ = try signWithTarmac(scratch, file: "b.tgz")
        #expect(try keygenVerify(scratch, file: "b.tgz", namespace: "other").status != 0)
    }

    @Test func sshKeygenRejectsOurSignatureOverAModifiedFile() throws {
        let scratch = try Scratch()
        try scratch.write("bundle bytes\n", to: "b.tgz")
        _ = try signWithTarmac(scratch, file: "b.tgz")
        try scratch.write("bundle bytes!\n", to: "b.tgz")
        #expect(try keygenVerify(scratch, file: "b.tgz").status != 0)
    }

    @Test func ourArmorMatchesSSHKeygenLayout() throws {
        let scratch = try Scratch()
        try scratch.write("x", to: "m")
        _ = try signWithTarmac(scratch, file: "m")
        let lines = try scratch.read("m.sig").split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "-----BEGIN SSH SIGNATURE-----")
        #expect(lines.dropLast().last == "-----END SSH SIGNATURE-----")
        #expect(lines.last == "")  // ends with a newline
        #expect(lines.dropFirst().dropLast(2).allSatisfy { $0.count <= 70 })
    }

    @Test(arguments: [nil, "sha512", "sha256"] as [String?])
    func sshKeygenSignatureVerifiesWithTarmac(hashOption: String?) throws {
        let scratch = try Scratch()
        let keyPath = try scratch.makeKey("key", comment: "release@example")
        try scratch.write(String(repeating: "payload ", count: 10_000), to: "b.tgz")
        let options = hashOption.map { ["-O", "hashalg=\($0)"] } ?? []
        let result = try scratch.ssh(["-Y", "sign", "-n", "tarmac", "-f", keyPath] + options + [scratch.file("b.tgz")])
        try #require(result.status == 0, "ssh-keygen -Y sign failed: \(result.stderr)")

        let signature = try SSHSignature.parse(contentsOfFile: scratch.file("b.tgz.sig"))
        #expect(signature.hash == SSHSigHash(rawValue: hashOption ?? "sha512"))
        #expect(signature.namespace == "tarmac")
        let trusted = try SSHPublicKey.keys(fromFileAt: keyPath + ".pub")
        let digest = try SSHSignature.digest(ofFileAt: scratch.file("b.tgz"), using: signature.hash)
        let verdict = SSHSignature.verify(signature, digest: digest, namespace: "tarmac", trusted: trusted)
        #expect(verdict == .valid(signer: trusted[0]))
        if case .valid(let signer) = verdict { #expect(signer.comment == "release@example") }
    }

    @Test func fingerprintMatchesSSHKeygen() throws {
        let scratch = try Scratch()
        let keyPath = try scratch.makeKey("key")
        let listed = try scratch.ssh(["-l", "-E", "sha256", "-f", keyPath + ".pub"])
        let expected = listed.stdout.split(separator: " ")[1]
        let fromPublic = try SSHPublicKey(authorizedKeyLine: try scratch.read("key.pub"))
        let fromPrivate = try SSHSigningKey(contentsOfFile: keyPath).publicKey
        #expect(fromPublic.fingerprint == String(expected))
        #expect(fromPrivate.fingerprint == String(expected))
        #expect(fromPrivate == fromPublic)  // same blob and the same comment, read from the private file
    }
}
