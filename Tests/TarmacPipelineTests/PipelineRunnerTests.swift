import Foundation
import Synchronization
import TarmacCore
import TarmacDeploy
import TarmacGit
import TarmacHistory
import TarmacPipeline
import TarmacTestSupport
import Testing

/// The runner as a library: what it reports and how it ends are values, with a real
/// repository and history and no host (a deploy stage that would contact one is an issue).
@Suite("pipeline runner: events and outcomes")
struct PipelineRunnerTests {
    @Test func aCommitWithoutTarmacYmlFailsAtTheSourceStage() async throws {
        let run = try RunnerFixture(tarmacYML: nil)
        defer { run.remove() }
        let outcome = try await run.runner().run()
        #expect(outcome == .ended(.failed))
        #expect(run.failures.count == 1)
        #expect(run.failures.first?.contains("has no tarmac.yml") == true, "\(run.failures)")
        #expect(try run.store.execution(run.id)?.record.state == .failed)
    }

    @Test func aFailingBuildEndsTheExecutionBeforeAnyDeployStage() async throws {
        let run = try RunnerFixture(tarmacYML: RunnerFixture.config(build: "echo compiling; exit 3"))
        defer { run.remove() }
        let outcome = try await run.runner().run()
        #expect(outcome == .ended(.failed))
        #expect(run.lines == ["compiling"])
        #expect(run.failures.last?.hasPrefix("the build failed") == true, "\(run.failures)")
        let stages = try #require(try run.store.execution(run.id)).stages
        #expect(stages.map(\.status) == [.succeeded, .failed, .pending])
    }

    @Test func aStopRequestBeforeItsTurnStopsItWithNothingDeployed() async throws {
        let run = try RunnerFixture(tarmacYML: RunnerFixture.config(build: "true"), stopped: true)
        defer { run.remove() }
        let outcome = try await run.runner().run()
        #expect(outcome == .ended(.stopped))
        #expect(run.stoppedWaiting)
        #expect(try run.store.execution(run.id)?.record.message == "stopped on request while it waited for its turn")
    }

    @Test func anUnknownExecutionIsAnOutcomeNotAnExit() async throws {
        let run = try RunnerFixture(tarmacYML: nil)
        defer { run.remove() }
        var context = run.context
        context.id = "e-UNKNOWN00"
        #expect(try await PipelineRunner(context).run() == .unknownExecution("e-UNKNOWN00"))
    }
}

/// A repository with one commit, its history, and one execution of that commit; collects what
/// the runner reports.
final class RunnerFixture: Sendable {
    let repo: GitFixture
    let store: HistoryStore
    let id: String
    let stopped: Bool
    private let events = Mutex<[PipelineEvent]>([])

    static func config(build: String) -> String {
        """
        application: site
        groups:
          staging:
            hosts:
              - { name: web1, address: 192.0.2.1 }
        pipeline:
          build:
            commands:
              - \(build)
          stages:
            - deploy: staging

        """
    }

    init(tarmacYML: String?, stopped: Bool = false) throws {
        repo = try GitFixture.empty("runnerrepo")
        try repo.write("appspec.yml", "version: 0.0\nos: linux\n")
        if let tarmacYML { try repo.write("tarmac.yml", tarmacYML) }
        let commit = try repo.commitAll("site")
        store = try HistoryStore.open(repositoryRoot: repo.root)
        id = ExecutionID.make()
        self.stopped = stopped
        _ = try store.createExecution(
            ExecutionRecord(
                id: id, application: "site", commit: commit, trigger: .manual, logPath: ".tarmac/logs/\(id).log",
                runner: .current))
    }

    var context: PipelineContext {
        let stopped = stopped
        let services = DeploymentServices(
            connect: { _, _ in
                Issue.record("a host was contacted")
                throw DeploymentRefusal.hosts("no hosts in this test")
            },
            openJournal: { throw DeploymentRefusal.unrecorded("no journal in this test") },
            processIsRunning: { _ in false }, stopRequested: { stopped })
        return PipelineContext(
            repository: GitRepository(root: repo.root), store: store, id: id, services: services,
            events: { [self] event in self.events.withLock { $0.append(event) } })
    }

    func runner() -> PipelineRunner { PipelineRunner(context) }

    var failures: [String] {
        events.withLock { $0.compactMap { if case .failed(let message) = $0 { message } else { nil } } }
    }

    var lines: [String] {
        events.withLock { $0.compactMap { if case .buildLine(let line) = $0 { line.text } else { nil } } }
    }

    var stoppedWaiting: Bool {
        events.withLock { $0.contains { if case .stoppedWaiting = $0 { true } else { false } } }
    }

    func remove() {
        repo.remove()
    }
}
