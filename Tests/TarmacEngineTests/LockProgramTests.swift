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

    @Test("golden: rendered lock programs")
    func golden() throws {
        let layout = HostLayout(root: "/var/lib/tarmac", groupID: "g-web")
        let text =
            LockProgram.acquire(layout: layout, deploymentID: "d-20260101-1", runnerPID: nil).description
            + LockProgram.release(layout: layout, deploymentID: "d-20260101-1").description
        try Golden.check(text, "programs/lock.sh")
    }
}
