import TarmacCore
import Testing

@Suite("BundleManifest")
struct BundleManifestTests {
    @Test(arguments: [(UInt32(0o644), "0644"), (0o755, "0755"), (0o4755, "4755"), (0, "0000"), (0o7, "0007")])
    func modeStrings(mode: UInt32, text: String) {
        #expect(BundleManifest.modeString(mode) == text)
    }

    @Test func totalSizeCountsFiles() {
        let manifest = BundleManifest(
            application: "a", commit: "c", commitTime: 0, revision: "c", format: "tar", appspec: "appspec.yml",
            files: [
                .init(path: "d", type: .directory, mode: "0755"),
                .init(path: "d/a", type: .file, mode: "0644", size: 10, sha256: "x"),
                .init(path: "d/b", type: .file, mode: "0644", size: 5, sha256: "y"),
            ])
        #expect(manifest.totalSize == 15)
    }
}

@Suite("RevisionTree from a bundle's files")
struct RevisionTreeFromFilesTests {
    @Test func anyExecBitMakesAScriptExecutable() {
        let tree = RevisionTree(
            files: [
                .init(path: "w/owner-only.sh", type: .file, mode: "0744"),
                .init(path: "w/group.sh", type: .file, mode: "0654"),
                .init(path: "w/plain.txt", type: .file, mode: "0644"),
                .init(path: "w/link", type: .symlink, mode: "0777", target: "plain.txt"),
            ], under: "w/")
        #expect(tree.entry(at: "owner-only.sh")?.executable == true)
        #expect(tree.entry(at: "group.sh")?.executable == true)
        #expect(tree.entry(at: "plain.txt")?.executable == false)
        #expect(tree.entry(at: "link")?.kind == .symlink)
        #expect(tree.entry(at: "w") == nil)
    }
}
