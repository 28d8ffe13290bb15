import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

@Suite("Lock program")
struct LockProgramTests {
    static let layout = HostLayout(root: "/opt/tarmac", groupID: "g-web")

    @Test("acquire, contention with a live holder, release by the holder only", .sandboxed)
    func contention() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let me = getpid()
        let first = try box.run(LockProgram.acquire(layout: Self.layout, deploymentID: "d-1", runnerPID: me))
        #expect(first.done == 0, "\(first.stderr)")
        let info = try #require(box.read(Self.layout.lockDirectory + "/info")).split(separator: "\n")
        #expect(info.count == 3 && info[0] == "d-1" && info[1] == "\(me)")
        let now = Int64(Date().timeIntervalSince1970)
        #expect(abs((Int64(info[2]) ?? 0) - now) < 60)

        let second = try box.run(LockProgram.acquire(layout: Self.layout, deploymentID: "d-2", runnerPID: 1))
        #expect(second.done == 1)
        let holder = try #require(LockProgram.holder(in: second.lines))
        #expect(holder.deploymentID == "d-1" && holder.pid == me && holder.holderAlive)
        #expect(second.notes.contains { $0.contains("locked by another deployment") })

        let wrongRelease = try box.run(LockProgram.release(layout: Self.layout, deploymentID: "d-2"))
        #expect(wrongRelease.done == 1)
        #expect(box.exists(Self.layout.lockDirectory + "/info"))

        let release = try box.run(LockProgram.release(layout: Self.layout, deploymentID: "d-1"))
        #expect(release.done == 0)
        #expect(!box.exists(Self.layout.lockDirectory))
        let again = try box.run(LockProgram.release(layout: Self.layout, deploymentID: "d-1"))
        #expect(again.done == 0 && again.notes == ["the host lock was not held"])
    }

    @Test("a stale lock is reported with how to remove it, never stolen", .sandboxed)
    func stale() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let dead = Int32.max
        #expect(try box.run(LockProgram.acquire(layout: Self.layout, deploymentID: "d-old", runnerPID: dead)).done == 0)
        let infoBefore = box.read(Self.layout.lockDirectory + "/info")
        let run = try box.run(LockProgram.acquire(layout: Self.layout, deploymentID: "d-new", runnerPID: getpid()))
        #expect(run.done == 1)
        #expect(
            LockProgram.holder(in: run.lines)
                == HostFacts.Lock(
                    deploymentID: "d-old", pid: dead, startedAt: LockProgram.holder(in: run.lines)?.startedAt ?? 0,
                    holderAlive: false))
        #expect(run.notes.contains { $0.contains("remove /opt/tarmac/.tarmac-lock after checking") })
        #expect(box.read(Self.layout.lockDirectory + "/info") == infoBefore)

        let request = ProbeRequest()
        let facts = try ProbeProgram.parse(
            box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil)).lines, request: request)
        #expect(facts.lock?.deploymentID == "d-old" && facts.lock?.holderAlive == false)
    }

    @Test("a lock recorded for the SSH session (no runner pid) names the program's parent", .sandboxed)
    func sessionPID() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let run = try box.run(LockProgram.acquire(layout: Self.layout, deploymentID: "d-1", runnerPID: nil))
        #expect(run.done == 0)
        let pid = try #require(box.read(Self.layout.lockDirectory + "/info")?.split(separator: "\n").dropFirst().first)
        #expect(Int32(pid) != nil && Int32(pid) != 0)
    }

    /// The receipt's program releases the lock as it ends: only this deployment's, and not when
    /// signing failed (the runner writes the receipt again, unsigned, still under the lock).
    @Test("the receipt's program releases its own lock at its end, not another's", .sandboxed)
    func releasedWithTheReceipt() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        func write(_ id: String, sign: Bool = false, prepare: String = ":") throws -> ProgramRun {
            try box.run(
                ReceiptProgram.write(layout: Self.layout, deploymentID: id, text: "{}\n", sign: sign, unlock: true),
                prepare: prepare)
        }
        #expect(try box.run(LockProgram.acquire(layout: Self.layout, deploymentID: "d-1", runnerPID: 1)).done == 0)
        let mine = try write("d-1")
        #expect(mine.done == 0, "\(mine.stderr)")
        #expect(mine.steps.suffix(2) == ["receipt ok", "unlock ok"])
        #expect(!box.exists(Self.layout.lockDirectory))
        #expect(box.read(Self.layout.receiptFile("d-1")) == "{}\n")

        #expect(try box.run(LockProgram.acquire(layout: Self.layout, deploymentID: "d-2", runnerPID: 1)).done == 0)
        let other = try write("d-1")
        #expect(other.done == 0 && other.steps.last == "receipt ok", "\(other.steps)")
        #expect(box.read(Self.layout.lockDirectory + "/info")?.hasPrefix("d-2\n") == true)

        // Signing fails (the host key replaced by something that is not a key): the lock stays.
        try box.write("/opt/not-a-key", "not a key\n", mode: 0o600)
        let key = ReceiptProgram.hostKeyPath
        let unsigned = try write(
            "d-2", sign: true, prepare: "if [ -e \(key) ]; then mount --bind /opt/not-a-key \(key); fi")
        #expect(unsigned.done == 0, "\(unsigned.stderr)")
        #expect(unsigned.lines.contains(.fact(key: "signfailed", value: "")))
        #expect(!unsigned.steps.contains("unlock ok"))
        #expect(box.read(Self.layout.lockDirectory + "/info")?.hasPrefix("d-2\n") == true)
        let again = try write("d-2")
        #expect(again.steps.last == "unlock ok" && !box.exists(Self.layout.lockDirectory))
    }

    /// The lock program that probes: one round trip; the probe's facts are those the probe
    /// alone gives once the lock is held, and a lock it cannot take ends it before the probe.
    @Test("the lock program that probes gives the probe's facts, or stops at a lock held", .sandboxed)
    func lockThenProbe() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try box.write("/opt/app/there", "x")
        let request = ProbeRequest(paths: ["/opt/app", "/opt/app/there", "/opt/app/new"], users: ["root"])
        let me = getpid()
        let both = try box.run(
            LockProgram.acquire(layout: Self.layout, deploymentID: "d-1", runnerPID: me, probe: request))
        #expect(both.done == 0, "\(both.stderr)")
        #expect(both.steps.first == "lock ok")
        #expect(box.read(Self.layout.lockDirectory + "/info")?.hasPrefix("d-1\n") == true)
        let facts = try ProbeProgram.parse(both.lines, request: request)
        let alone = try ProbeProgram.parse(
            box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: me)).lines, request: request)
        // All but the free space, which the file system's other users move between the two runs.
        var same = facts
        same.freeBytes = alone.freeBytes
        #expect(same == alone)
        #expect(facts.freeBytes != nil)
        #expect(facts.paths["/opt/app/there"] == .file && facts.paths["/opt/app/new"] == .missing)
        #expect(facts.lock?.deploymentID == "d-1")

        let held = try box.run(
            LockProgram.acquire(layout: Self.layout, deploymentID: "d-2", runnerPID: 1, probe: request))
        #expect(held.done == 1)
        #expect(LockProgram.holder(in: held.lines)?.deploymentID == "d-1")
        #expect(!held.steps.contains("lock ok"))
        #expect(!held.lines.contains { if case .fact("kinds", _) = $0 { true } else { false } })
    }

    @Test("golden: rendered lock programs")
    func golden() throws {
        let layout = HostLayout(root: "/var/lib/tarmac", groupID: "g-web")
        let text =
            LockProgram.acquire(layout: layout, deploymentID: "d-20260101-1", runnerPID: nil).description
            + LockProgram.release(layout: layout, deploymentID: "d-20260101-1").description
            + LockProgram.releaseAtEnd(layout: layout, deploymentID: "d-20260101-1").description
        try Golden.check(text, "programs/lock.sh")
    }
}
