import Foundation
import TarmacBundle
import TarmacSigning
import TarmacTestSupport
import Testing

/// The inspector and the stager judge a bundle's signer by a trust policy at the time they are given.
@Suite("inspect: allowed_signers trust, judged at an injected time")
struct BundleSignerTrustTests {
    @Test func validityWindowAndRevocationDecideTheSignatureStatus() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let keys = try TestPaths.temporaryDirectory("trust")
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keys + "/release"], check: true)
        var options = BundleOptions()
        options.signingKeyPath = keys + "/release"
        let outcome = try await bundle(repo, options)
        let pub = try String(contentsOfFile: keys + "/release.pub", encoding: .utf8)
        let file = try TrustFile.parse(
            "ci@example.com valid-after=\"20300101Z\",valid-before=\"20310101Z\" \(pub)", source: "allowed",
            timeZone: TimeZone(identifier: "UTC")!)
        let policy = TrustPolicy(files: [file], identity: "ci@example.com")
        let inside = Date(timeIntervalSince1970: 1_900_000_000)  // 2030-03-17
        let after = Date(timeIntervalSince1970: 1_930_000_000)  // 2031-02-28
        let signer = try SSHPublicKey(authorizedKeyLine: pub)

        let good = try await BundleInspector().inspect(outcome.path, trust: policy, at: inside)
        #expect(good.signature == .valid(signer: signer.fingerprint, trusted: true))
        let expired = try await BundleInspector().inspect(outcome.path, trust: policy, at: after)
        #expect(!expired.isTrustworthy)
        guard case .invalid(let reason) = expired.signature else {
            Issue.record("an expired key was accepted: \(expired.signature)")
            return
        }
        #expect(reason.contains("allowed:1: key expired on 2031-01-01 00:00:00 UTC"))

        let revoked = TrustPolicy(signers: [], revoked: [RevokedKey(source: "revoked:1", key: signer)])
        let untrustedButRevoked = try await BundleInspector().inspect(outcome.path, trust: revoked, at: inside)
        #expect(untrustedButRevoked.signature.word == "invalid", "a revoked signer is refused without trusted keys")

        let work = try TestPaths.temporaryDirectory("trust-stage")
        defer { try? FileManager.default.removeItem(atPath: work) }
        await #expect(throws: BundleError.self) {
            try await BundleStager().stage(outcome.path, trust: policy, at: after, into: work)
        }
        let staged = try await BundleStager().stage(outcome.path, trust: policy, at: inside, into: work)
        #expect(staged.report.signature == .valid(signer: signer.fingerprint, trusted: true))
    }
}
