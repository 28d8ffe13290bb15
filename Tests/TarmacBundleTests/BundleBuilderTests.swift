import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacGit
import TarmacTestSupport
import Testing

let prepared: Bool = ArchiveLibrary.prepareProcess()

/// Builds the bundle of `fixture`'s HEAD (or per `options`) with the fixture's settings.
func bundle(
    _ fixture: GitFixture, _ options: BundleOptions = BundleOptions(), root: String = ".",
    format: ArchiveFormat = .tarGz
) async throws -> BundleOutcome {
    _ = prepared
    let settings = BundleSettings(root: root, format: BundleFormat(rawValue: format.rawValue)!)
    return try await BundleBuilder(
        repository: GitRepository(root: fixture.root), application: "docs-site", bundle: settings
    ).build(options)
}

/// Every member of an archive with its bytes (small test archives only).
func members(_ path: String) throws -> [String: (ArchiveEntryHeader, [UInt8])] {
    let reader = try ArchiveReader(path: path)
    var result: [String: (ArchiveEntryHeader, [UInt8])] = [:]
    while let header = try reader.nextEntry() {
        var bytes: [UInt8] = []
        try reader.readData { bytes.append(contentsOf: $0) }
        result[header.path.hasSuffix("/") ? String(header.path.dropLast()) : header.path] = (header, bytes)
    }
    return result
}

@Suite("bundle: content is exactly the revision")
struct BundleContentTests {
    @Test func sampleAppBundleHoldsTheCommitAndItsManifest() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.write(".gitignore", "build/\n")
        try repo.commitAll("ignore build/")
        try repo.write("notes.txt", "untracked, never bundled")
        try repo.write("build/out.bin", "ignored")
        try repo.write("site/index.html", "changed but not committed")

        let outcome = try await bundle(repo)
        let found = try members(outcome.path)
        #expect(found["notes.txt"] == nil)
        #expect(found["build/out.bin"] == nil)
        #expect(found["appspec.yml"] != nil)
        #expect(found["scripts/start.sh"]?.0.permissions == 0o755)
        #expect(found["site/index.html"]?.0.permissions == 0o644)
        let committed = try repo.git("show", "HEAD:site/index.html")
        #expect(found["site/index.html"].map { String(decoding: $0.1, as: UTF8.self) } == committed)
        #expect(Set(outcome.notInBundle.map(\.path)) == ["notes.txt", "site/index.html"])

        let manifestBytes = try #require(found[BundleManifest.memberPath]?.1)
        let manifest = try BundleManifest.decode(manifestBytes)
        #expect(manifest == outcome.manifest)
        #expect(manifest.commit == (try repo.git("rev-parse", "HEAD")).trimmingCharacters(in: .newlines))
        #expect(manifest.files.map(\.path).contains("site/css/style.css"))
        try Golden.check(String(decoding: manifestBytes, as: UTF8.self), "bundle/sample-app.manifest.json")
    }

    @Test func manifestIsTheLastMemberAndOrderFollowsGit() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let outcome = try await bundle(repo, format: .tar)
        let listing = try runCommand("tar", ["-tf", outcome.path], check: true).stdout.split(separator: "\n")
        #expect(
            listing.suffix(2) == [Substring(BundleManifest.memberPath), Substring(BundleManifest.checksumMemberPath)])
        let paths = listing.dropLast(2).map { $0.hasSuffix("/") ? String($0.dropLast()) : String($0) }
        #expect(paths == outcome.manifest.files.map(\.path))
    }

    @Test func exportIgnoreSymlinksAndExecBitsAreKept() async throws {
        let repo = try GitFixture.empty()
        defer { repo.remove() }
        try repo.write("appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/app\n")
        try repo.write(".gitattributes", "tests/ export-ignore\nsecret.txt export-ignore\n")
        try repo.write("tests/t.sh", "#!/bin/sh\n", executable: true)
        try repo.write("secret.txt", "do not ship")
        try repo.write("bin/run", "#!/bin/sh\necho run\n", executable: true)
        try repo.symlink("current", to: "bin/run")
        try repo.commitAll("content")
        let found = try members(try await bundle(repo).path)
        #expect(found["tests/t.sh"] == nil)
        #expect(found["secret.txt"] == nil)
        #expect(found["bin/run"]?.0.permissions == 0o755)
        #expect(found["current"]?.0.type == .symlink)
        #expect(found["current"]?.0.symlinkTarget == "bin/run")
    }

    @Test func bundleRootSelectsADirectory() async throws {
        let repo = try GitFixture.empty()
        defer { repo.remove() }
        try repo.write("README.md", "outside the bundle root")
        try repo.write(
            "deploy/appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: www\n    destination: /srv/www\n")
        try repo.write("deploy/www/index.html", "hello")
        try repo.commitAll("content")
        let outcome = try await bundle(repo, root: "deploy")
        let found = try members(outcome.path)
        #expect(
            Set(found.keys) == [
                "appspec.yml", "www", "www/index.html", BundleManifest.memberPath, BundleManifest.checksumMemberPath,
            ])
    }

    @Test func namesThatBreakShellsSurviveTheBundle() async throws {
        let repo = try GitFixture.empty()
        defer { repo.remove() }
        let names = [
            "with space.txt", "quote's \"double\".txt", "$(touch pwned).txt", "new\nline.txt", "café/日本語.txt", "-rf",
        ]
        try repo.write("appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/app\n")
        for name in names { try repo.write(name, "content of \(name)") }
        try repo.commitAll("odd names")
        let outcome = try await bundle(repo)
        let found = try members(outcome.path)
        for name in names {
            #expect(
                found[name].map { String(decoding: $0.1, as: UTF8.self) } == "content of \(name)",
                "\(name.debugDescription)")
            #expect(outcome.manifest.files.contains { $0.path == name })
        }
        let report = try await BundleInspector().inspect(outcome.path)
        #expect(report.isTrustworthy, "\(report.mismatches) \(report.hostile)")
    }
}
