import Foundation
import TarmacSigning
import Testing

/// tarmac's verifier and the real `ssh-keygen -Y verify` give the same answer, case by case,
/// on signatures made by the real `ssh-keygen -Y sign`.
@Suite struct KeygenAgreementTests {
    /// An allowed_signers file (`{A}` is the signing key, `{B}` another), the identity, an optional
    /// `-r` file, and whether the signature must be accepted.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let signers: String
        var identity = "ci@example.com"
        var revoked: String? = nil
        /// Turn `revoked` into a KRL with `ssh-keygen -k` (its lines are then a revocation spec).
        var krl = false
        let accepted: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain line", signers: "ci@example.com {A}", accepted: true),
        Case(name: "principal mismatch", signers: "ops@example.com {A}", accepted: false),
        Case(name: "principal wildcard", signers: "*@example.com {A}", accepted: true),
        Case(name: "principal negated", signers: "*@example.com,!ci@example.com {A}", accepted: false),
        Case(name: "quoted principals", signers: "\"ops team,ci@example.com\" {A}", accepted: true),
        Case(name: "namespaces allow", signers: "ci@example.com namespaces=\"file,tarmac\" {A}", accepted: true),
        Case(name: "namespaces forbid", signers: "ci@example.com namespaces=\"file\" {A}", accepted: false),
        Case(name: "namespaces wildcard", signers: "ci@example.com namespaces=\"tar*\" {A}", accepted: true),
        Case(name: "namespaces negated", signers: "ci@example.com namespaces=\"*,!tarmac\" {A}", accepted: false),
        Case(name: "option name case", signers: "ci@example.com NAMESPACES=\"file\" {A}", accepted: false),
        Case(name: "valid-before past", signers: "ci@example.com valid-before=\"20200101\" {A}", accepted: false),
        Case(name: "valid-before future", signers: "ci@example.com valid-before=\"20991231Z\" {A}", accepted: true),
        Case(name: "valid-after future", signers: "ci@example.com valid-after=\"20991231\" {A}", accepted: false),
        Case(
            name: "valid window now",
            signers: "ci@example.com valid-after=\"20200101120000Z\",valid-before=\"209912312359\" {A}", accepted: true),
        Case(name: "unquoted time", signers: "ci@example.com valid-before=20991231 {A}", accepted: false),
        Case(name: "revoked via -r", signers: "ci@example.com {A}", revoked: "{A}", accepted: false),
        Case(
            name: "another key revoked", signers: "ci@example.com {A}", revoked: "# old\n{B} old laptop", accepted: true
        ),
        Case(name: "empty revoked file", signers: "ci@example.com {A}", revoked: "", accepted: true),
        Case(name: "KRL of the key", signers: "ci@example.com {A}", revoked: "{A}", krl: true, accepted: false),
        Case(name: "KRL sha1", signers: "ci@example.com {A}", revoked: "sha1: {A}", krl: true, accepted: false),
        Case(name: "KRL sha256", signers: "ci@example.com {A}", revoked: "sha256: {A}", krl: true, accepted: false),
        Case(name: "KRL of another key", signers: "ci@example.com {A}", revoked: "{B}", krl: true, accepted: true),
        Case(name: "empty KRL", signers: "ci@example.com {A}", revoked: "", krl: true, accepted: true),
        Case(name: "wrong key", signers: "ci@example.com {B}", accepted: false),
        Case(name: "@revoked marker", signers: "@revoked {A}", accepted: false),
        Case(name: "cert-authority line", signers: "ci@example.com cert-authority {A}", accepted: false),
        Case(
            name: "comments and blanks", signers: "# release signers\n\n   ci@example.com {A} the ci key\n",
            accepted: true
        ),
        Case(
            name: "second line allows", signers: "ci@example.com namespaces=\"file\" {A}\nci@example.com {A}",
            accepted: true),
        Case(name: "other key first", signers: "ops@example.com {B}\nci@example.com {A}", accepted: true),
        Case(
            name: "every line refuses",
            signers: "ci@example.com namespaces=\"git\" {A}\nci@example.com valid-before=\"20200101\" {A}\nops {A}",
            accepted: false),
    ]

    @Test(arguments: cases)
    func withIdentity(_ testCase: Case) throws {
        let fixture = try Fixture(testCase)
        let keygen = try fixture.keygenVerify(identity: testCase.identity)
        let tarmac = fixture.tarmacVerify(identity: testCase.identity)
        #expect(keygen.accepted == testCase.accepted, "ssh-keygen: \(keygen.output)")
        #expect(tarmac.accepted == testCase.accepted, "tarmac: \(tarmac.output)")
    }

    /// Without --signer-identity tarmac accepts when `ssh-keygen -Y verify -I P` accepts for some
    /// principal P that `ssh-keygen -Y find-principals` finds on one of the lines (each line asked
    /// alone, since find-principals stops at the first). `@revoked` is a marker to tarmac, never a principal.
    @Test(arguments: cases)
    func withoutIdentity(_ testCase: Case) throws {
        let fixture = try Fixture(testCase)
        var principals: [String] = []
        for line in try fixture.scratch.read("allowed_signers").split(whereSeparator: \.isNewline) {
            try fixture.scratch.write(String(line) + "\n", to: "one_line")
            let found = try fixture.scratch.ssh(
                ["-Y", "find-principals", "-f", "one_line", "-s", fixture.scratch.file("b.tgz.sig")])
            principals += found.stdout.split(whereSeparator: \.isNewline).flatMap { $0.split(separator: ",") }
                .filter { !$0.hasPrefix("!") && $0 != "@revoked" }.map(String.init)
        }
        let keygen = try principals.contains { try fixture.keygenVerify(identity: $0).accepted }
        let tarmac = fixture.tarmacVerify(identity: nil)
        #expect(tarmac.accepted == keygen, "principals found: \(principals); tarmac: \(tarmac.output)")
    }

    /// tarmac is stricter than ssh-keygen in one place: an `@revoked` line revokes its key even
    /// when another line lists it (ssh-keygen reads `@revoked` as a principal that never matches).
    @Test func revokedMarkerOutweighsAnotherLine() throws {
        let fixture = try Fixture(Case(name: "", signers: "@revoked {A}\nci@example.com {A}", accepted: false))
        #expect(try fixture.keygenVerify(identity: "ci@example.com").accepted)
        let tarmac = fixture.tarmacVerify(identity: "ci@example.com")
        #expect(!tarmac.accepted)
        #expect(tarmac.output.contains("allowed_signers:1: key SHA256:") && tarmac.output.hasSuffix(" is revoked"))
    }

    /// A plain .pub file still works as before (ssh-keygen has no such mode: it needs principals).
    @Test func plainPublicKeyFileStillTrustsItsKey() throws {
        let fixture = try Fixture(Case(name: "", signers: "{A} release@ci", accepted: true))
        try fixture.scratch.write(try fixture.scratch.read("a.pub"), to: "allowed_signers")
        let tarmac = fixture.tarmacVerify(identity: nil)
        #expect(tarmac.accepted, "\(tarmac.output)")
        #expect(!fixture.tarmacVerify(identity: "ci@example.com").accepted)
    }

    /// Keys A and B, a message signed by A with `ssh-keygen -Y sign`, and the case's files.
    struct Fixture {
        let scratch: Scratch
        let revoked: Bool

        init(_ testCase: Case) throws {
            let scratch = try Scratch()
            try scratch.makeKey("a", comment: "a@example.com")
            try scratch.makeKey("b", comment: "b@example.com")
            let keyText = { (name: String) in
                try scratch.read(name).split(separator: " ").prefix(2).joined(separator: " ")
            }
            let (a, b) = (try keyText("a.pub"), try keyText("b.pub"))
            let fill = { (text: String) in
                text.replacingOccurrences(of: "{A}", with: a).replacingOccurrences(of: "{B}", with: b)
            }
            try scratch.write(fill(testCase.signers) + "\n", to: "allowed_signers")
            if let text = testCase.revoked, testCase.krl {
                try scratch.write(fill(text) + "\n", to: "revoked.spec")
                let made = try scratch.ssh(["-k", "-f", "revoked", "revoked.spec"])
                guard made.status == 0 else { throw ScratchError.keygen(made.stderr) }
            } else if let text = testCase.revoked {
                try scratch.write(fill(text), to: "revoked")
            }
            try scratch.write("bundle bytes\n", to: "b.tgz")
            let signed = try scratch.ssh(["-Y", "sign", "-n", "tarmac", "-f", scratch.file("a"), scratch.file("b.tgz")])
            guard signed.status == 0 else { throw ScratchError.keygen(signed.stderr) }
            self.scratch = scratch
            self.revoked = testCase.revoked != nil
        }

        func keygenVerify(identity: String) throws -> (accepted: Bool, output: String) {
            var arguments = ["-Y", "verify", "-n", "tarmac", "-f", "allowed_signers", "-I", identity]
            if revoked { arguments += ["-r", "revoked"] }
            let result = try scratch.ssh(arguments + ["-s", "b.tgz.sig"], stdinFile: scratch.file("b.tgz"))
            return (result.status == 0, result.stdout + result.stderr)
        }

        func tarmacVerify(identity: String?) -> (accepted: Bool, output: String) {
            do {
                let file = try TrustFile.load(fromFileAt: scratch.file("allowed_signers"))
                let revokedKeys = revoked ? try RevokedKeysFile.load(fromFileAt: scratch.file("revoked")) : []
                let policy = TrustPolicy(files: [file], revoked: revokedKeys, identity: identity)
                let signature = try SSHSignature.parse(contentsOfFile: scratch.file("b.tgz.sig"))
                let digest = try SSHSignature.digest(ofFileAt: scratch.file("b.tgz"), using: signature.hash)
                switch SSHSignature.verify(signature, digest: digest, namespace: "tarmac", trust: policy, at: Date()) {
                case .valid(let signer): return (true, "valid: \(signer)")
                case .invalid(let reason): return (false, reason)
                }
            } catch {
                return (false, "refused to load: \(error)")
            }
        }
    }
}
