import Foundation
import TarmacArchive
import TarmacBundle
import TarmacCore
import TarmacTestSupport
import Testing

@Suite("bundle: revisions, working trees and invalid input")
struct BundleRevisionTests {
    @Test func worktreeBundleTakesChangesAndLeavesTheIndexAlone() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.write(".gitignore", "*.log\n")
        try repo.write("site/new.html", "untracked page")
        try repo.write("site/index.html", "edited page")
        try repo.write("debug.log", "ignored")
        try repo.git("add", "site/index.html")
        let statusBefore = try repo.git("status", "--porcelain=v1")
        let indexBefore = try repo.git("ls-files", "--stage")

        var options = BundleOptions()
        options.worktree = true
        let outcome = try await bundle(repo, options)
        let found = try members(outcome.path)
        #expect(found["site/new.html"].map { String(decoding: $0.1, as: UTF8.self) } == "untracked page")
        #expect(found["site/index.html"].map { String(decoding: $0.1, as: UTF8.self) } == "edited page")
        #expect(found["debug.log"] == nil)
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .newlines)
        #expect(outcome.manifest.revision.hasPrefix("\(head)-dirty-"))
        #expect(outcome.manifest.revision.count == head.count + "-dirty-".count + 12)
        #expect(try repo.git("status", "--porcelain=v1") == statusBefore)
        #expect(try repo.git("ls-files", "--stage") == indexBefore)
    }

    @Test func olderRevisionByTag() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.git("tag", "v1")
        let first = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .newlines)
        try repo.write("site/index.html", "second revision")
        try repo.commitAll("second", date: "2026-02-01T00:00:00Z")
        var options = BundleOptions()
        options.revision = "v1"
        let outcome = try await bundle(repo, options)
        #expect(outcome.manifest.commit == first)
        #expect(outcome.notInBundle.isEmpty, "the working tree is compared only when bundling HEAD")
        #expect(outcome.manifest.commitTime == 1_767_225_600)
    }

    @Test func unknownRevisionIsInvalidInput() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        var options = BundleOptions()
        options.revision = "no-such-branch"
        await #expect(throws: BundleError.self) { try await bundle(repo, options) }
    }

    @Test func invalidAppSpecWritesNothing() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.write(
            "appspec.yml",
            "version: 0.0\nos: linux\nfiles:\n  - source: nowhere\n    destination: /srv\n  - source: site\n    destination: relative/dir\n"
        )
        try repo.commitAll("broken")
        let out = try TestPaths.temporaryDirectory("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = BundleOptions()
        options.output = out + "/b.tar.gz"
        do {
            _ = try await bundle(repo, options)
            Issue.record("an invalid revision was bundled")
        } catch BundleError.invalidRevision(let findings) {
            let errors = findings.filter { $0.severity == .error }
            #expect(errors.count >= 2, "\(errors)")
            #expect(errors.allSatisfy { $0.location?.file == "appspec.yml" && ($0.location?.line ?? 0) > 0 })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    @Test func missingAppSpecAndReservedDirectoryAreErrors() async throws {
        let repo = try GitFixture.empty()
        defer { repo.remove() }
        try repo.write(".tarmac/manifest.json", "{}")
        try repo.write("index.html", "hi")
        try repo.commitAll("no appspec")
        do {
            _ = try await bundle(repo)
            Issue.record("bundled without an appspec")
        } catch BundleError.invalidRevision(let findings) {
            let text = findings.map(\.description).joined(separator: "\n")
            #expect(text.contains("no appspec.yml"))
            #expect(text.contains("index.html"))
            #expect(text.contains("reserves"))
        }
    }

    @Test func symlinksOutOfTheRevisionAreRefused() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.symlink("etc-link", to: "/etc/passwd")
        try repo.symlink("site/up", to: "../../outside")
        try repo.symlink("site/fine", to: "guide/../index.html")
        try repo.symlink("inside-the-bundle", to: "site/index.html")
        try repo.commitAll("links")
        let out = try TestPaths.temporaryDirectory("links")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = BundleOptions()
        options.output = out + "/b.tar.gz"
        do {
            _ = try await bundle(repo, options)
            Issue.record("a bundle with escaping symlinks was written")
        } catch BundleError.invalidRevision(let findings) {
            #expect(findings.count == 2, "\(findings)")
            #expect(findings.contains { $0.location?.file == "etc-link" })
            #expect(findings.contains { $0.location?.file == "site/up" })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    /// `site` is installed on its own (files: source: site), so a link from it to the rest of
    /// the revision would point, on the host, at whatever lies next to the destination.
    @Test func aLinkOutOfAMappedDirectoryIsRefused() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        try repo.symlink("site/appspec-link", to: "../appspec.yml")
        try repo.commitAll("a link out of site/")
        let out = try TestPaths.temporaryDirectory("links")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = BundleOptions()
        options.output = out + "/b.tar.gz"
        do {
            _ = try await bundle(repo, options)
            Issue.record("a bundle with a link out of a mapped directory was written")
        } catch BundleError.invalidRevision(let findings) {
            #expect(findings.count == 1, "\(findings)")
            #expect(findings.first?.message.contains("\"site/appspec-link\" leaves \"site\"") == true, "\(findings)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    @Test func submodulesAreReportedNotDropped() async throws {
        let repo = try GitFixture.copy("sample-app")
        defer { repo.remove() }
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .newlines)
        try repo.git("update-index", "--add", "--cacheinfo", "160000,\(head),vendor/lib")
        try repo.git("commit", "-q", "-m", "submodule")
        let outcome = try await bundle(repo)
        #expect(outcome.submodules == ["vendor/lib"])
        #expect(
            outcome.warnings.contains { $0.severity == .warning && $0.message.contains("vendor/lib is a submodule") })
    }
}
