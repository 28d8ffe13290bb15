import Testing

@testable import TarmacBundle

@Suite("UnpackBudget: every read of a bundle is bounded")
struct UnpackBudgetTests {
    @Test func dataMembersAndTheStreamAreEachBounded() throws {
        var budget = UnpackBudget(limits: UnpackLimits(maxBytes: 1000, maxMembers: 3), bundle: "b.tar.gz")
        try budget.addMember(streamPosition: 512)
        try budget.addData(1000, streamPosition: 2048)
        #expect(throws: BundleError.self) { try budget.addData(1, streamPosition: 2048) }

        var members = UnpackBudget(limits: UnpackLimits(maxBytes: 1000, maxMembers: 2), bundle: "b.tar.gz")
        try members.addMember(streamPosition: 0)
        try members.addMember(streamPosition: 0)
        #expect(throws: BundleError.self) { try members.addMember(streamPosition: 0) }

        // Headers and padding with no data at all still count: the stream may not grow past
        // the files' limit plus 64 MiB and 16 KiB a member.
        var stream = UnpackBudget(limits: UnpackLimits(maxBytes: 1000), bundle: "b.tar.gz")
        try stream.addMember(streamPosition: 1000 + (64 << 20) + (16 << 10))
        let error = #expect(throws: BundleError.self) {
            try stream.addMember(streamPosition: 1000 + (64 << 20) + (32 << 10) + 1)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("tarmac stopped reading it"))
    }
}
