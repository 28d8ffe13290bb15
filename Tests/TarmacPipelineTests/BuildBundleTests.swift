import Foundation
import TarmacBundle
import TarmacCore
import TarmacPipeline
import TarmacTestSupport
import Testing

@Suite("build: the bundle of a build's output")
struct BuildBundleTests {
    @Test func bundleHoldsTheOutputAndNamesTheSourceCommit() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let (result, outcome) = try await fixture.buildAndBundle()
        #expect(result.succeeded)
        #expect(result.commands.map(\.status) == [.exited(0)])
        #expect(outcome.manifest.commit == fixture.commit)
        #expect(outcome.manifest.revision.hasPrefix(fixture.commit + "-build-"))
        #expect(outcome.manifest.revision.count == fixture.commit.count + "-build-".count + 12)
        #expect(outcome.notInBundle.isEmpty)
        let found = try members(outcome.path)
        #expect(found["index.html"].map { String(decoding: $0, as: UTF8.self) } == "<p>built</p>\n")
        #expect(found["appspec.yml"].map { String(decoding: $0, as: UTF8.self) } == BuildFixture.appspec)
        #expect(found["site/index.html"] == nil && found["build.sh"] == nil, "only bundle.root is bundled")

        let report = try await BundleInspector().inspect(outcome.path)
        #expect(report.manifest?.commit == fixture.commit)
    }

    @Test func theUsersRepositoryIsUntouchedAndItsChangesStayOut() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let repo = fixture.repo
        try repo.write("site/index.html", "<p>SOURCE edited, not committed</p>\n")
        try repo.write("untracked.txt", "not committed")
        try repo.git("add", "untracked.txt")
        let status = { try repo.git("status", "--porcelain=v2", "--untracked-files=all", "--branch") }
        let before = (try status(), try repo.git("ls-files", "--stage"), try repo.git("rev-parse", "HEAD"))

        let (_, outcome) = try await fixture.buildAndBundle(["sh build.sh", "test ! -e untracked.txt"])
        let found = try members(outcome.path)
        #expect(found["index.html"].map { String(decoding: $0, as: UTF8.self) } == "<p>built</p>\n")

        #expect(try status() == before.0)
        #expect(try repo.git("ls-files", "--stage") == before.1)
        #expect(try repo.git("rev-parse", "HEAD") == before.2)
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/dist"))
    }

    @Test func sameCommitSameBundle() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let (_, first) = try await fixture.buildAndBundle(name: "first.tar.gz")
        let (_, second) = try await fixture.buildAndBundle(name: "second.tar.gz")
        #expect(first.sha256 == second.sha256)
        #expect(first.manifest.revision == second.manifest.revision)
    }

    @Test func bytesAreKeptWhateverTheAttributesSay() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        try fixture.repo.write(".gitattributes", "* text=auto eol=lf\n")
        let commit = try fixture.repo.commitAll("attributes")
        let stage = BuildStage(
            repository: fixture.repository, commit: commit,
            build: Pipeline.Build(commands: ["sh build.sh && printf 'a\\r\\nb\\r\\n' > dist/dos.txt"]))
        let result = try await stage.run { _ in }
        defer { try? result.workspace.cleanup() }
        var options = BundleOptions()
        options.output = fixture.output + "/dos.tar"
        let outcome = try await stage.bundle(
            result, application: "site", settings: BundleSettings(root: "dist"), options: options)
        #expect(try members(outcome.path)["dos.txt"] == Array("a\r\nb\r\n".utf8))
        #expect(outcome.manifest.commit == commit)
    }

    @Test func aMissingRootIsAnErrorNamingRootAndCommit() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let error = await #expect(throws: BuildError.self) {
            try await fixture.buildAndBundle(["true"], root: "./public/")
        }
        let text = "\(error.map { $0 } as Any)"
        #expect(text.contains("`./public/`") && text.contains(String(fixture.commit.prefix(12))), "\(text)")
    }

    @Test func gitDirectoriesInTheOutputNeverEnterTheBundle() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let (_, outcome) = try await fixture.buildAndBundle([
            "sh build.sh && printf 'gitdir: /nowhere\\n' > dist/.git && mkdir -p dist/a && echo x > dist/a/.git"
        ])
        let found = try members(outcome.path)
        #expect(found.keys.allSatisfy { !$0.split(separator: "/").contains(".git") }, "\(found.keys.sorted())")
        #expect(found["index.html"] != nil)

        // A repository inside the output cannot be recorded (git would keep only a gitlink).
        let nested = "sh build.sh && git init -q dist/theme && echo t > dist/theme/t.css"
        await #expect(throws: (any Error).self) { try await fixture.buildAndBundle([nested]) }
        let committed = nested + " && git -C dist/theme -c user.name=t -c user.email=t@t commit -q --allow-empty -m t"
        let error = await #expect(throws: (any Error).self) { try await fixture.buildAndBundle([committed]) }
        #expect("\(error.map { $0 } as Any)".contains("remove dist/theme/.git in the build commands"))
    }

    @Test func aFailedBuildIsNotBundled() async throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        await #expect(throws: BuildError.self) { try await fixture.buildAndBundle(["sh build.sh", "false"]) }
    }
}
