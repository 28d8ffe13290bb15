import TarmacCore
import TarmacEngine
import Testing

/// `InstallPlannerKeep` as tables: which of the previous install's files a re-install leaves
/// alone, and that anything short of a verified match is installed anew.
@Suite("Install planner: unchanged files")
struct InstallPlannerKeepTests {
    static let files = [
        PlanFixture.file("appspec.yml"),
        BundleManifest.File(path: "web/index.html", type: .file, mode: "0644", size: 6, sha256: "aa"),
        BundleManifest.File(path: "web/css/site.css", type: .file, mode: "0644", size: 9, sha256: "bb"),
    ]
    static let html = "/var/www/html"
    static let index = html + "/index.html"
    static let css = html + "/css"
    static let site = css + "/site.css"
    static let previous = CleanupRecord(paths: [html, css, site, index, html + "/old.txt"])

    static func stat(_ raw: UInt32, size: Int64 = 0, links: Int = 1, uid: UInt32 = 0, acl: Bool = false) -> PathStat {
        let line = "1:\(raw):\(links):\(uid):0:\(String(raw, radix: 16)):\(size):2026-01-01 00:00:00.000000001 +0000"
        return PathStat(line: line, hasACL: acl)!
    }

    /// A host where the previous install is in place and unchanged, then `change` applied.
    static func host(_ spec: AppSpec, _ change: (inout HostFacts) -> Void = { _ in }) -> HostFacts {
        var facts = PlanFixture.facts(
            spec, files,
            existing: PlanFixture.baseHost.merging([
                html: .directory, css: .directory, index: .file, site: .file, html + "/old.txt": .file,
            ]) { $1 }, cleanup: previous)
        (facts.runnerUID, facts.runnerGID) = (0, 0)
        facts.stats = [
            html: stat(0o40755), css: stat(0o40755), index: stat(0o100644, size: 6), site: stat(0o100644, size: 9),
        ]
        facts.digests = [index: "aa", site: "bb"]
        change(&facts)
        return facts
    }

    static func plan(_ spec: AppSpec, _ facts: HostFacts) throws -> InstallPlan {
        try InstallPlanner.plan(spec: spec, files: files, facts: facts, options: InstallOptions()).get()
    }

    static let spec = PlanFixture.yaml([("web", html)])

    @Test func anUnchangedReinstallKeepsEverythingAndRemovesOnlyWhatWasDropped() throws {
        let spec = try PlanFixture.spec(Self.spec)
        let plan = try Self.plan(spec, Self.host(spec))
        #expect(
            PlanFixture.lines(plan) == [
                "keep-dir \(Self.html)", "keep-dir \(Self.css)", "keep \(Self.site)", "keep \(Self.index)",
            ])
        #expect(plan.removals == [Self.html + "/old.txt"])
        #expect(
            plan.nextCleanup.paths == [Self.html, Self.css, Self.site, Self.index], "the record a full install writes")
        #expect(
            InstallPlanner.pathsToVerify(
                spec: spec, files: Self.files, facts: Self.host(spec), options: InstallOptions())
                == [Self.site, Self.index])
    }

    /// Each row changes one fact about index.html; none of them may be kept, and the new copy
    /// replaces the old file in place (it is not removed first), in the kept directory.
    static func fileChange(_ row: String, _ f: inout HostFacts) {
        switch row {
        case "other content": f.digests[index] = "cc"
        case "not hashed": f.digests[index] = nil
        case "a second hard link": f.stats[index] = stat(0o100644, size: 6, links: 2)
        case "owned by another user": f.stats[index] = stat(0o100644, size: 6, uid: 33)
        case "an ACL": f.stats[index] = stat(0o100644, size: 6, acl: true)
        case "another mode": f.stats[index] = stat(0o100600, size: 6)
        case "setuid": f.stats[index] = stat(0o104644, size: 6)
        case "another size": f.stats[index] = stat(0o100644, size: 7)
        default: f.stats[index] = nil
        }
    }

    @Test(arguments: [
        "other content", "not hashed", "a second hard link", "owned by another user", "an ACL", "another mode",
        "setuid", "another size", "not stat'ed",
    ])
    func aFileThatDiffersIsReplacedInPlace(_ row: String) throws {
        let spec = try PlanFixture.spec(Self.spec)
        let plan = try Self.plan(spec, Self.host(spec) { Self.fileChange(row, &$0) })
        #expect(
            PlanFixture.lines(plan) == [
                "keep-dir \(Self.html)", "keep-dir \(Self.css)", "keep \(Self.site)",
                "copy web/index.html -> \(Self.index) 644 over file",
            ], "\(row)")
        #expect(plan.removals == [Self.html + "/old.txt"], "\(row)")
    }

    /// A directory that is not what `mkdir` makes keeps nothing below it: the full install.
    static func directoryChange(_ row: String, _ f: inout HostFacts) {
        switch row {
        case "mode 0775": f.stats[css] = stat(0o40775)
        case "setgid": f.stats[css] = stat(0o42755)
        case "owned by another user": f.stats[css] = stat(0o40755, uid: 33)
        case "an ACL": f.stats[css] = stat(0o40755, acl: true)
        default: f.paths[css] = .symlink
        }
    }

    @Test(arguments: ["mode 0775", "setgid", "owned by another user", "an ACL", "a symlink now"])
    func aDirectoryThatDiffersKeepsNothingBelowIt(_ row: String) throws {
        let spec = try PlanFixture.spec(Self.spec)
        let plan = try Self.plan(spec, Self.host(spec) { Self.directoryChange(row, &$0) })
        #expect(
            PlanFixture.lines(plan) == [
                "keep-dir \(Self.html)", "mkdir \(Self.css)", "copy web/css/site.css -> \(Self.site) 644 over missing",
                "keep \(Self.index)",
            ], "\(row)")
        #expect(Set(plan.removals) == [Self.html + "/old.txt", Self.css, Self.site], "\(row)")
    }

    @Test func nothingIsKeptWithoutTheRunnerOrOutsideThePreviousInstall() throws {
        let spec = try PlanFixture.spec(Self.spec)
        let full = [
            "keep-dir \(Self.html)", "keep-dir \(Self.css)", "keep \(Self.site)", "keep \(Self.index)",
        ]
        var noRunner = Self.host(spec)
        noRunner.runnerUID = nil
        #expect(!PlanFixture.lines(try Self.plan(spec, noRunner)).contains { $0.hasPrefix("keep") })
        var firstInstall = Self.host(spec)
        firstInstall.cleanup = nil
        let overwrite = try PlanFixture.spec(Self.spec + "file_exists_behavior: OVERWRITE\n")
        #expect(!PlanFixture.lines(try Self.plan(overwrite, firstInstall)).contains { $0.hasPrefix("keep") })
        #expect(PlanFixture.lines(try Self.plan(spec, Self.host(spec))) == full)
    }

    @Test func permissionEntriesDecideTheModeAndOwnershipIsNeverKept() throws {
        let mode = try PlanFixture.spec(
            Self.spec + "permissions:\n  - object: \(Self.index)\n    mode: 600\n")
        let chmodded = Self.host(mode) { $0.stats[Self.index] = Self.stat(0o100600, size: 6) }
        let plan = try Self.plan(mode, chmodded)
        #expect(PlanFixture.lines(plan).last == "keep \(Self.index)")
        #expect(plan.permissions.isEmpty, "a kept file is not chmodded again")
        #expect(PlanFixture.lines(try Self.plan(mode, Self.host(mode))).last?.hasPrefix("copy") == true)
        let owner = try PlanFixture.spec(
            Self.spec + "permissions:\n  - object: \(Self.index)\n    owner: www-data\n")
        let owned = Self.host(owner) { $0.stats[Self.index] = Self.stat(0o100644, size: 6, uid: 33) }
        #expect(PlanFixture.lines(try Self.plan(owner, owned)).last?.hasPrefix("copy") == true)
    }
}
