import Foundation
import TarmacCore
import TarmacEngine
import TarmacTestSupport
import Testing

/// `InstallStatRecord`: which files the last Install's stat record spares hashing (only a
/// stat line equal to the probe's, of a file no one but the runner can write, changed before
/// the fence), and the record Install's program writes on real files.
@Suite("Install stat record")
struct InstallStatRecordTests {
    static let sha = String(repeating: "ab", count: 32)
    static let other = String(repeating: "cd", count: 32)

    static func line(ino: Int, mode: UInt32 = 0o100644, links: Int = 1, uid: UInt32 = 0, ctime: String) -> String {
        "2049:\(ino):\(links):\(uid):0:\(String(mode, radix: 16)):6:\(ctime)"
    }

    /// A host whose probe saw `stats` (path → line), running as root, with `record`.
    static func facts(_ stats: [String: String], record: [String]?) -> HostFacts {
        var facts = HostFacts()
        (facts.runnerUID, facts.runnerGID) = (0, 0)
        for (path, line) in stats { facts.stats[path] = PathStat(line: line, hasACL: false) }
        facts.installStat = record.flatMap(InstallStatRecord.parse)
        return facts
    }

    @Test func parseTakesOnlyAWholeRecord() {
        let body = "\(Self.sha) \(Self.line(ino: 7, ctime: "100.000000001"))"
        let whole = InstallStatRecord.parse([InstallStatRecord.header, body, "fence 101.000000000"])
        #expect(whole?.digests == [Self.line(ino: 7, ctime: "100.000000001"): Self.sha])
        #expect(InstallStatRecord.parse([InstallStatRecord.header, "fence 101.000000000"])?.digests == [:])
        #expect(InstallStatRecord.parse([body, "fence 101.000000000"]) == nil, "no header")
        #expect(InstallStatRecord.parse([InstallStatRecord.header, body]) == nil, "no fence: cut short")
        #expect(InstallStatRecord.parse([InstallStatRecord.header, "fence 101"]) == nil, "a fence without nanoseconds")
        #expect(InstallStatRecord.parse([InstallStatRecord.header, "xyz \(body)", "fence 1.000000000"]) == nil)
        // A fence is seconds, a dot and exactly nine digits.
        for fence in ["101.00000000", "101.0000000000", "x.000000000", "101.00000000x", "1.2.000000000", ".000000000"] {
            #expect(InstallStatRecord.parse([InstallStatRecord.header, "fence \(fence)"]) == nil, "\(fence)")
        }
        #expect(InstallStatRecord.parse([InstallStatRecord.header, "fence 1767225600.123456789"])?.fence != nil)
    }

    @Test func onlyAnEqualLineOfAFileNoOneElseCanWriteChangedBeforeTheFenceIsVouchedFor() {
        let fence = "200.000000000"
        var stats: [String: String] = [:]
        var record = [InstallStatRecord.header]
        func add(_ path: String, _ line: String, recorded: String? = nil, digest: String = Self.sha) {
            stats[path] = line
            record.append("\(digest) \(recorded ?? line)")
        }
        add("/a/same", Self.line(ino: 1, ctime: "100.000000000"))
        add("/a/old-content", Self.line(ino: 2, ctime: "100.000000000"), digest: Self.other)
        add(
            "/a/changed", Self.line(ino: 3, ctime: "150.000000000"), recorded: Self.line(ino: 3, ctime: "100.000000000")
        )
        add(
            "/a/other-inode", Self.line(ino: 40, ctime: "100.000000000"),
            recorded: Self.line(ino: 4, ctime: "100.000000000"))
        add("/a/group-writable", Self.line(ino: 5, mode: 0o100664, ctime: "100.000000000"))
        add("/a/world-writable", Self.line(ino: 6, mode: 0o100646, ctime: "100.000000000"))
        add("/a/users", Self.line(ino: 7, uid: 1000, ctime: "100.000000000"))
        add("/a/two-links", Self.line(ino: 8, links: 2, ctime: "100.000000000"))
        add("/a/at-the-fence", Self.line(ino: 9, ctime: fence))
        add("/a/after-the-fence", Self.line(ino: 10, ctime: "200.000000001"))
        add("/a/directory", Self.line(ino: 11, mode: 0o40755, ctime: "100.000000000"))
        stats["/a/unrecorded"] = Self.line(ino: 12, ctime: "100.000000000")
        record.append("fence \(fence)")
        let paths = stats.keys.sorted() + ["/a/not-probed"]
        let known = InstallStatRecord.knownDigests(paths, facts: Self.facts(stats, record: record))
        #expect(known == ["/a/same": Self.sha, "/a/old-content": Self.other])
        #expect(InstallStatRecord.knownDigests(paths, facts: Self.facts(stats, record: nil)).isEmpty)
        var asUser = Self.facts(stats, record: record)
        asUser.runnerUID = 1000
        #expect(InstallStatRecord.knownDigests(paths, facts: asUser) == ["/a/users": Self.sha], "the runner's own")
    }

    /// Files are stat'ed from the parent of the topmost directory this install makes or keeps
    /// and no permission entry touches, naming the directories on the way to be checked.
    @Test func groupsStartAboveTheDirectoriesTheInstallMade() {
        var chmod = InstallPlan.PermissionChange(path: "/srv/app/open")
        chmod.mode = 0o777
        let plan = InstallPlan(
            steps: [
                .makeDirectory(path: "/srv/app"), .makeDirectory(path: "/srv/app/lib"),
                .makeDirectory(path: "/srv/app/open"), .keepDirectory(path: "/etc/x", stat: ""),
            ], permissions: [chmod])
        let entries = [
            "/srv/app/a", "/srv/app/lib/b", "/srv/app/lib/c", "/srv/app/open/d", "/srv/top", "/etc/x/e", "/f",
        ].map { InstallStatRecord.Entry(path: $0, sha256: Self.sha) }
        let text = InstallProgram.render(
            plan: plan, layout: HostLayout(root: "/var/lib/tarmac", groupID: "g"), deploymentID: "d",
            recorded: entries + [.init(path: "/srv/bad", sha256: "not hex")]
        ).description
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("t_srec") && !$0.contains("()") }
        let s = Self.sha
        #expect(
            lines == [
                "t_srec_open '/var/lib/tarmac/deployment-instructions/.g_install_stat.XXXXXX'",
                "t_srec_in '/srv' './app' './app/lib'",
                "t_srec '\(s) \(s) \(s) \(s)' './app/a' './app/lib/b' './app/lib/c' './top'",
                "t_srec_out './app' './app/lib'",
                "t_srec_in '/srv/app/open'", "t_srec '\(s)' './d'", "t_srec_out",
                "t_srec_in '/etc' './x'", "t_srec '\(s)' './x/e'", "t_srec_out './x'",
                "t_srec_in '/'", "t_srec '\(s)' './f'", "t_srec_out",
                "t_srec_close '/var/lib/tarmac/deployment-instructions/g_install_stat'",
            ])
    }

    /// A kept file is not stat'ed again: its line is the stat Install checked it against.
    @Test func aKeptFileIsRecordedWithTheStatInstallChecked() {
        let line = Self.line(ino: 9, ctime: "100.000000000")
        let plan = InstallPlan(
            steps: [.keepDirectory(path: "/srv/app", stat: ""), .keepFile(destination: "/srv/app/a", stat: line)])
        let text = InstallProgram.render(
            plan: plan, layout: HostLayout(root: "/var/lib/tarmac", groupID: "g"), deploymentID: "d",
            recorded: [.init(path: "/srv/app/a", sha256: Self.sha)]
        ).description
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("t_srec") && !$0.contains("()") }
        #expect(lines.count == 3 && lines[1] == "t_srec_known '\(Self.sha)' '\(line)'", "\(lines)")
    }
}
