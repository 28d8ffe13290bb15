import Foundation
import TarmacArchive
import TarmacBundle
import TarmacTestSupport
import Testing

@Suite("bundle: tar.zst in frames")
struct BundleZstdTests {
    /// A tree of 9 MiB gives a tar.zst of three frames that unpacks to the members of the tar bundle
    /// of the same commit (the frames are cut from one stream), and two builds give the same bytes.
    @Test func aLargeTreeIsSeveralFramesOfTheTarBundle() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        var state: UInt64 = 1
        for index in 0..<9 {
            var text = ""
            while text.utf8.count < 1 << 20 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += "value \(state >> 44) of file \(index)\n"
            }
            try repo.write("data/part\(index).txt", text)
        }
        try repo.commitAll("nine MiB")
        let out = try TestPaths.temporaryDirectory("zst")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var paths: [String] = []
        for (name, format) in [("a.tar.zst", ArchiveFormat.tarZst), ("b.tar.zst", .tarZst), ("c.tar", .tar)] {
            var options = BundleOptions()
            options.output = "\(out)/\(name)"
            let outcome = try await bundle(repo, options, format: format)
            #expect(try FileDigest.sha256Hex(ofFileAt: outcome.path) == outcome.sha256, "\(name)")
            paths.append(outcome.path)
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: paths[0]))
        #expect(first == (try Data(contentsOf: URL(fileURLWithPath: paths[1]))), "two builds differ")
        let listing = try runCommand("zstd", ["-lv", paths[0]], check: true)
        #expect(listing.stdout.contains("Zstandard Frames: 3"), "\(listing.stdout)")
        try runCommand("zstd", ["-d", "-q", paths[0], "-o", "\(out)/unpacked.tar"], check: true)
        // Only the manifest differs: it names the format.
        let zst = try members("\(out)/unpacked.tar")
        let tar = try members(paths[2])
        #expect(zst.keys.sorted() == tar.keys.sorted())
        for (path, (_, bytes)) in tar where !path.hasPrefix(".tarmac/") {
            #expect(zst[path]?.1 == bytes, "\(path)")
        }
    }
}
