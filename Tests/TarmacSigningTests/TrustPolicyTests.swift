import Foundation
import Testing

@testable import TarmacSigning

/// The decision rules of `ssh-keygen -Y verify` over parsed lines, judged at an injected time.
@Suite struct TrustPolicyTests {
    /// 2024-06-01 00:00:00 UTC.
    static let june2024 = Date(timeIntervalSince1970: 1_717_200_000)

    private func policy(_ text: String, identity: String? = nil, revoked: [RevokedKey] = []) throws -> TrustPolicy {
        TrustPolicy(
            files: [try TrustFile.parse(text, source: "signers", timeZone: utc)], revoked: revoked, identity: identity)
    }

    private func judge(
        _ text: String, identity: String? = nil, signer: UInt8 = 1, at time: Date = june2024,
        revoked: [RevokedKey] = []
    ) throws -> TrustDecision {
        try policy(text, identity: identity, revoked: revoked).judge(key(signer), namespace: "tarmac", at: time)
    }

    private func reason(_ decision: TrustDecision) -> String {
        if case .refused(let reason) = decision { return reason }
        return "trusted"
    }

    private func principal(_ decision: TrustDecision) -> String? {
        if case .trusted(_, let principal) = decision { return principal }
        return nil
    }

    @Test func plainKeyLineTrustsItsKeyUnderAnyName() throws {
        let decision = try judge(keyLine(1, comment: "release@ci"))
        #expect(principal(decision) == "release@ci")
        #expect(reason(try judge(keyLine(1), signer: 2)).contains("which is not a trusted key"))
    }

    @Test func plainKeyLineCannotVouchForAnIdentity() throws {
        let decision = try judge(keyLine(1), identity: "ci@example.com")
        #expect(reason(decision).contains("signers:1: a plain public key line names no principal"))
    }

    @Test func identityMustMatchThePrincipalPatterns() throws {
        let text = "*@example.com,!intern@example.com \(keyLine(1))"
        #expect(principal(try judge(text, identity: "ci@example.com")) == "ci@example.com")
        #expect(
            reason(try judge(text, identity: "intern@example.com")).contains(
                "signers:1: identity 'intern@example.com' is not among the principals \"*@example.com,!intern@example.com\""
            ))
        #expect(reason(try judge(text, identity: "ci@example.org")).contains("is not among the principals"))
    }

    @Test func withoutIdentityTheLinesFirstAcceptedPrincipalIsTheSigner() throws {
        #expect(principal(try judge("!ops,ci@example.com,ops \(keyLine(1))")) == "ci@example.com")
        #expect(reason(try judge("!ops,ops \(keyLine(1))")).contains("accept no identity"))
    }

    @Test func namespacesMustAllowTarmac() throws {
        #expect(
            reason(try judge("ci namespaces=\"file\" \(keyLine(1))"))
                == "key \(try key(1).fingerprint) is listed but not trusted here: signers:1: namespace 'tarmac' not allowed by namespaces=\"file\""
        )
        #expect(principal(try judge("ci namespaces=\"git,tar*\" \(keyLine(1))")) == "ci")
        #expect(reason(try judge("ci namespaces=\"*,!tarmac\" \(keyLine(1))")).contains("not allowed by"))
    }

    @Test func validBeforeIsInclusiveAndThenExpired() throws {
        let text = "ci valid-before=\"20240601000000Z\" \(keyLine(1))"
        #expect(principal(try judge(text, at: Self.june2024)) == "ci")
        #expect(principal(try judge(text, at: Self.june2024.addingTimeInterval(0.9))) == "ci")
        #expect(
            reason(try judge(text, at: Self.june2024.addingTimeInterval(1))).contains(
                "signers:1: key expired on 2024-06-01 00:00:00 UTC (valid-before)"))
    }

    @Test func validAfterInTheFutureIsNotYetValid() throws {
        let text = "ci valid-after=\"20240601Z\" \(keyLine(1))"
        #expect(
            reason(try judge(text, at: Self.june2024.addingTimeInterval(-1))).contains(
                "signers:1: key is not valid until 2024-06-01 00:00:00 UTC (valid-after)"))
        #expect(principal(try judge(text, at: Self.june2024)) == "ci")
    }

    @Test func revokedKeysAreRefusedWhateverTheLinesSay() throws {
        let viaMarker = try judge("@revoked \(keyLine(1))\nci \(keyLine(1))")
        #expect(reason(viaMarker) == "signers:1: key \(try key(1).fingerprint) is revoked")
        let viaFile = try judge("ci \(keyLine(1))", revoked: [RevokedKey(source: "revoked:2", key: try key(1))])
        #expect(reason(viaFile).hasPrefix("revoked:2: key "))
        #expect(principal(try judge("ci \(keyLine(1))", revoked: [RevokedKey(source: "r:1", key: try key(2))])) == "ci")
    }

    @Test func anyListingLineMayAcceptAndAllRefusalsAreReported() throws {
        let fallback = keyLine(1, comment: "fallback")
        let text = """
            ci namespaces="file" \(keyLine(1))
            ops \(keyLine(2))
            ci valid-before="20240101Z" \(keyLine(1))
            ci \(fallback)
            """
        let decision = try judge(text)
        guard case .trusted(let line, let name) = decision else {
            Issue.record("refused: \(reason(decision))")
            return
        }
        #expect(line.source == "signers:4" && name == "ci")
        let refused = reason(try judge(text.split(separator: "\n").dropLast().joined(separator: "\n")))
        #expect(refused.contains("signers:1: namespace 'tarmac' not allowed"))
        #expect(refused.contains("; signers:3: key expired on 2024-01-01 00:00:00 UTC"))
    }

    @Test func linesOfOtherKeysAreNotConsulted() throws {
        let decision = try judge("ci \(keyLine(2))\nci namespaces=\"file\" \(keyLine(3))")
        #expect(reason(decision).contains("which is not a trusted key (trusted: "))
    }
}
