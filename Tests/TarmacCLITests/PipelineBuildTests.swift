import Foundation
import TarmacTestSupport
import Testing

/// A pipeline's build stage through `tarmac run`: the commands run in a clean export of the
/// commit, and their output is what deploys (helpers in PipelineTests).
@Suite("pipelines: the build stage", .serialized, Fleet.trait())
struct PipelineBuildTests {
    typealias Project = DeployTests.Project

    @Test func theBuildRunsInACleanExportAndItsOutputIsWhatDeploys() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try PipelineTests.project(
            fleet,
            pipeline: """
                  build:
                    commands:
                      - mkdir -p out && cp -R app appspec.yml hook.sh out/ && echo "built from $TARMAC_COMMIT" > out/app/built.txt
                      - echo "the build says hello" && echo "and warns" >&2
                      - env | grep ^GIT_ || echo no git variables
                    timeout: 60
                  stages:
                    - deploy: fleet

                """)
        defer { project.repo.remove() }
        try project.repo.write(".gitignore", "out/\n")
        try project.repo.write(
            "tarmac.yml",
            try String(contentsOfFile: project.repo.root + "/tarmac.yml", encoding: .utf8).replacingOccurrences(
                of: "groups:", with: "bundle: { root: out }\ngroups:"))
        try project.commit()
        // An uncommitted change is not built: the export is of the commit.
        try project.repo.write("app/index.html", "not committed\n")
        let status = try project.repo.git("status", "--porcelain=v2", "--untracked-files=all")
        // Run as a post-commit hook runs it, git's variables set: the build commands get none of them.
        let result = try project.repo.tarmac(
            "run", environment: ["GIT_INDEX_FILE": ".git/index", "GIT_TARMAC_TEST_MARKER": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let commit = try project.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(project.installed(fleet.hosts[0]) == "revision 1\n")
        #expect(project.installed(fleet.hosts[0], "built.txt") == "built from \(commit)\n")
        #expect(try project.repo.git("status", "--porcelain=v2", "--untracked-files=all") == status)
        #expect(!FileManager.default.fileExists(atPath: project.repo.root + "/out"), "the build never ran here")
        let id = try #require(try PipelineTests.executions(project).last?["id"] as? String)
        let log = try project.repo.tarmac("logs", id).stdout
        #expect(log.contains("2| the build says hello") && log.contains("2! and warns"), "\(log)")
        #expect(log.contains("3| no git variables") && !log.contains("3| GIT_"), "\(log)")
        let shown = try PipelineTests.show(project, id)
        #expect((shown["revision"] as? String)?.hasPrefix("\(commit)-build-") == true, "\(shown)")
        #expect(PipelineTests.stageStatuses(shown) == ["source=Succeeded", "build=Succeeded", "fleet=Succeeded"])
    }

    @Test func aFailingBuildCommandFailsTheExecutionAndNamesTheCommand() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try PipelineTests.project(
            fleet,
            pipeline:
                "  build:\n    commands: [\"true\", \"echo compiling; exit 7\", \"touch never\"]\n  stages:\n    - deploy: fleet\n"
        )
        defer { project.repo.remove() }
        try project.commit()
        let result = try project.repo.tarmac("run")
        #expect(result.status == 1, "\(result.stderr)")
        let id = try #require(try PipelineTests.executions(project).last?["id"] as? String)
        let shown = try PipelineTests.show(project, id)
        #expect(shown["status"] as? String == "Failed")
        #expect(
            shown["message"] as? String == "the build failed: command 2 of 3 `echo compiling; exit 7` exited 7",
            "\(shown)")
        #expect(PipelineTests.stageStatuses(shown) == ["source=Succeeded", "build=Failed", "fleet=Pending"])
        #expect(project.installed(fleet.hosts[0]) == nil, "no host was touched")
        #expect(try project.repo.tarmac("logs", id).stdout.contains("2| compiling"))
    }
}
