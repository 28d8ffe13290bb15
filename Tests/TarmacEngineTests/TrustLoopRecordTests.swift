import TarmacCore
import TarmacEngine
import Testing

/// The pure parts of issue 15: the anti-rollback rule, the installed record and drift reading.
@Suite("trust loop records")
struct TrustLoopRecordTests {
    static let mark = HighWaterMark(sequence: 200, revision: "bbb", deploymentID: "d-B")

    @Test func rollbackGuardRefusesOnlyOlderSequences() {
        #expect(
            RollbackGuard.decide(sequence: 100, revision: "aaa", deploymentID: "d-A", mark: nil, allowDowngrade: false)
                == .accept(raise: HighWaterMark(sequence: 100, revision: "aaa", deploymentID: "d-A")))
        #expect(
            RollbackGuard.decide(
                sequence: 200, revision: "ccc", deploymentID: "d-C", mark: Self.mark, allowDowngrade: false)
                == .accept(raise: nil), "an equal sequence is not older")
        #expect(
            RollbackGuard.decide(
                sequence: 300, revision: "ccc", deploymentID: "d-C", mark: Self.mark, allowDowngrade: false)
                == .accept(raise: HighWaterMark(sequence: 300, revision: "ccc", deploymentID: "d-C")))
        guard
            case .refuse(let message) = RollbackGuard.decide(
                sequence: 100, revision: "aaa", deploymentID: "d-A", mark: Self.mark, allowDowngrade: false)
        else {
            Issue.record("an older bundle must be refused")
            return
        }
        #expect(message.contains("revision aaa") && message.contains("revision bbb") && message.contains("d-B"))
        #expect(
            RollbackGuard.decide(
                sequence: 100, revision: "aaa", deploymentID: "d-A", mark: Self.mark, allowDowngrade: true)
                == .downgrade(from: Self.mark))
        if case .refuse = RollbackGuard.decide(
            sequence: nil, revision: "x", deploymentID: "d-A", mark: Self.mark, allowDowngrade: false)
        {
        } else {
            Issue.record("a bundle without a sequence cannot be shown newer than a mark")
        }
        #expect(HighWaterMark.parse(Array(Self.mark.text.utf8)) == Self.mark)
    }

    @Test func installedRecordKeepsAnyPathThroughTheShellQuoting() {
        let awkward = "/opt/app/it's a \"file\"\n$(touch /tmp/pwned) `x`;\\"
        let record = InstalledRecord(
            destinations: ["/opt/app", "/srv/o'brien"],
            entries: [
                .file(path: awkward, sha256: "ab", mode: "644", uid: "0", gid: "0", size: "12", mtime: "1767225600"),
                .link(path: "/opt/app/current", target: "../it's"),
                .directory(path: "/opt/app/dir with space", mode: "755", uid: "33", gid: "33"),
            ])
        #expect(InstalledRecord.parse(record.text) == record)
        #expect(InstalledRecord.parse("t_f 0 '/x'\n") == nil, "a line of the wrong shape is not a record")
        #expect(InstalledRecord.parse("rm -rf /\n") == nil)
    }

    @Test func driftIsReadFromIndicesAndExtraPathsSkipRecordedOnesAndTheirParents() {
        let record = InstalledRecord(
            destinations: ["/opt/app"],
            entries: [
                .file(
                    path: "/opt/app/a/index.html", sha256: "ab", mode: "644", uid: "0", gid: "0", size: "1", mtime: "1"),
                .file(path: "/opt/app/b.txt", sha256: "cd", mode: "644", uid: "0", gid: "0", size: "1", mtime: "1"),
            ])
        let hex = { (text: String) in text.utf8.map { String($0, radix: 16) }.joined(separator: " ") }
        let found = "/opt/app/a\0/opt/app/a/index.html\0/opt/app/new\0"
        let lines: [ProgramLine] = [
            .fact(key: "rec", value: hex(record.text)), .fact(key: "drift", value: "0 mode 600"),
            .fact(key: "drift", value: "0 content"), .fact(key: "missing", value: "1"),
            .fact(key: "extra", value: hex(found)), .done(status: 0),
        ]
        guard case .report(let report) = DriftReport.read(lines) else {
            Issue.record("the report must be read")
            return
        }
        #expect(
            report.modified == [.init(path: "/opt/app/a/index.html", changes: ["mode 600 (installed 644)", "content"])])
        #expect(report.missing == ["/opt/app/b.txt"])
        #expect(report.extra == ["/opt/app/new"])
        #expect(report.hasDrift)
        #expect(DriftReport.read([.fact(key: "norecord", value: ""), .done(status: 0)]) == .noRecord)
    }
}
