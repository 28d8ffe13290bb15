import Foundation
import TarmacTestSupport
import Testing

extension DeployFaultTests {
    @Test func ctrlCStartsNoMoreHostsAndExits130() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "OneAtATime")
        defer { project.repo.remove() }
        try project.commit(holdOn: ["BeforeInstall": ["host1", "host2", "host3"]])
        let deploy = try project.startDeploy()
        defer { deploy.remove() }
        // Ctrl-C while host1's BeforeInstall runs; the hook goes on only once tarmac has taken it.
        try project.waitUntilHeld(fleet.hosts[0], "BeforeInstall")
        deploy.interrupt()
        try Self.waitForInterruptNotice(deploy)
        try project.release(fleet.hosts[0], "BeforeInstall")
        let status = try deploy.wait(within: 60)
        let log = deploy.stderr
        #expect(status == 130, "\(log)")
        let shown = try Self.newest(project)
        #expect(shown["status"] as? String == "Stopped")
        let statuses = Self.hostStatuses(shown)
        #expect(statuses == ["host1": "Stopped", "host2": "Skipped", "host3": "Skipped"], "\(statuses)")
        #expect(project.held(fleet.hosts[1], "BeforeInstall") == nil, "host2 was never started")
        #expect(project.installed(fleet.hosts[2]) == nil)
        #expect(project.events(fleet.hosts[0]) == ["BeforeInstall rev=1"], "host1 finished the event in flight only")
    }

    @Test func aSecondCtrlCStopsTheHooksAndLeavesAStaleLockThatUnlockClears() throws {
        let fleet = try Fleet.start(hosts: 1)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit(holdOn: ["BeforeInstall": ["host1"]])
        let deploy = try project.startDeploy()
        defer { deploy.remove() }
        let held = try project.waitUntilHeld(fleet.hosts[0], "BeforeInstall")
        #expect(held.live.count == 2, "the hook and its child run on host1")
        deploy.interrupt()
        try Self.waitForInterruptNotice(deploy)
        deploy.interrupt()
        #expect(try deploy.wait(within: 30) == 130, "\(deploy.stderr)")
        // Never released: the hook and the child it started die with the connection that started them.
        try waitFor("the hook \(held.script) and its child \(held.child) on host1 to be gone", within: 20) {
            held.live.isEmpty
        }
        try project.commit()
        // The tarmac that ran the deployment knows from its history that it was cut off, and
        // takes the lock back by itself (PipelineTests covers that); a build box without that
        // history — here it is removed — refuses the stale lock until `hosts unlock` clears it.
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: project.repo.root + "/.tarmac/state.db" + suffix)
        }
        let refused = try project.deploy()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("stale lock"), "\(refused.stderr)")
        let unlock = try project.repo.tarmac("hosts", "unlock", "fleet")
        #expect(unlock.status == 0, "\(unlock.stderr)")
        #expect(unlock.stderr.contains("removed the stale lock"), "\(unlock.stderr)")
        let again = try project.deploy()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(project.installed(fleet.hosts[0]) == "revision 2\n")
    }

    @Test func twoDeploymentsToOneGroupAtOnceTheSecondIsRefused() throws {
        let fleet = try Fleet.start(hosts: 2)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "AllAtOnce")
        defer { project.repo.remove() }
        try project.commit(holdOn: ["ApplicationStart": ["host1", "host2"]])
        let first = try project.startDeploy()
        defer { first.remove() }
        for host in fleet.hosts { try project.waitUntilHeld(host, "ApplicationStart") }
        let second = try project.deploy()
        for host in fleet.hosts { try project.release(host, "ApplicationStart") }
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("is being deployed by another tarmac"), "\(second.stderr)")
        #expect(try first.wait(within: 60) == 0, "\(first.stderr)")
        for host in fleet.hosts { #expect(project.installed(host) == "revision 1\n", "\(host)") }
    }

    @Test func autoRollbackRedeploysTheLastGoodRevisionToTheHostsThatRanInstall() throws {
        let fleet = try Fleet.start(hosts: 3)
        defer { try? fleet.stop() }
        var project = try Project(fleet: fleet, config: "OneAtATime", extra: ["auto_rollback: true"])
        defer { project.repo.remove() }
        try project.commit()
        #expect(try project.deploy().status == 0)
        try project.commit(failOn: ["ValidateService": ["host2"]])
        let result = try project.deploy()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("auto rollback"), "\(result.stderr)")
        for host in fleet.hosts {
            #expect(project.installed(host) == "revision 1\n", "\(host) is on revision 1 again")
        }
        let rollback = try Self.newest(project)
        #expect(rollback["creator"] as? String == "rollback")
        #expect(Set(Self.hostStatuses(rollback).keys) == ["host1", "host2"], "only the hosts that ran Install")
    }
}
