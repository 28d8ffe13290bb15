import Foundation
import Synchronization
import TarmacCore
import Testing

@testable import TarmacDeploy

/// The build box's deltas: one per base, however many hosts ask at once; a base it has no
/// manifest for, or of another application, gets the full bundle with the reason.
@Suite struct DeltaBuilderTests {
    static func manifest(_ revision: String, application: String = "app") -> BundleManifest {
        BundleManifest(
            application: application, commit: revision, commitTime: 1, revision: revision, format: "tar.gz",
            appspec: "appspec.yml",
            files: [BundleManifest.File(path: "a.txt", type: .file, mode: "0644", size: 1, sha256: revision)])
    }

    @Test func eightHostsAskingAtOnceMakeOneDelta() async throws {
        let directory = NSTemporaryDirectory() + "delta-builder-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writes = Mutex(0)
        let builder = DeltaBuilder(
            target: Self.manifest("r2"), directory: directory, manifests: { _ in Self.manifest("r1") },
            write: { _, _, output in
                writes.withLock { $0 += 1 }
                try Data("delta".utf8).write(to: URL(fileURLWithPath: output))
            })
        let lookups = await withTaskGroup(of: DeltaLookup.self) { group in
            for _ in 0..<8 { group.addTask { await builder.lookup(baseManifestSHA256: "aa") } }
            return await group.reduce(into: [DeltaLookup]()) { $0.append($1) }
        }
        #expect(writes.withLock { $0 } == 1)
        #expect(lookups.count == 8)
        for lookup in lookups {
            guard case .offer(let offer) = lookup else {
                Issue.record("no delta: \(lookup)")
                continue
            }
            #expect(offer.byteCount == 5 && offer.baseRevision == "r1" && offer.delta.sent.map(\.path) == ["a.txt"])
        }
    }

    @Test func anUnknownBaseOrAnotherApplicationGetsTheFullBundle() async {
        let builder = DeltaBuilder(
            target: Self.manifest("r2"), directory: NSTemporaryDirectory(),
            manifests: { $0 == "other" ? Self.manifest("r1", application: "else") : nil },
            write: { _, _, _ in Issue.record("nothing to write") })
        guard case .unavailable(let unknown) = await builder.lookup(baseManifestSHA256: "aa"),
            case .unavailable(let other) = await builder.lookup(baseManifestSHA256: "other")
        else {
            Issue.record("a delta where none can be made")
            return
        }
        #expect(unknown.hasPrefix("the build box has no copy of the installed revision's manifest"))
        #expect(other == "the installed revision belongs to application else")
    }
}
