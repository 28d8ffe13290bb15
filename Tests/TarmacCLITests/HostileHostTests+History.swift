import Foundation
import GRDB
import TarmacHistory
import TarmacTestSupport
import Testing

/// The build box's side: a history that cannot record refuses the deployment; the history and
/// the pipeline logs (hook output) are private to their owner.
extension HostileHostTests {
    /// A repository whose group `web` has one host on a local TCP port: one nobody answers on
    /// (a `Listener`, to tell whether tarmac ever tried to reach it), or a closed one.
    static func unreachableProject(port: UInt16, pipeline: Bool = false) throws -> GitFixture {
        let repo = try GitFixture.empty("history")
        try repo.write(
            "tarmac.yml",
            """
            application: locked
            groups:
              web:
                hosts:
                  - { name: h1, address: 127.0.0.1, port: \(port) }
                connect_timeout: 2

            """ + (pipeline ? "pipeline:\n  stages:\n    - deploy: web\n" : ""))
        try repo.write("appspec.yml", "version: 0.0\nos: linux\n")
        try repo.commitAll("one")
        return repo
    }

    @Test func aLockedOrDamagedHistoryRefusesDeployBeforeAnyHostIsContacted() throws {
        let listener = try Listener()
        defer { listener.close() }
        let repo = try Self.unreachableProject(port: listener.port)
        defer { repo.remove() }
        let store = try HistoryStore.open(repositoryRoot: repo.root)
        let holder = try DatabaseQueue(path: store.path)
        let locked = try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try repo.tarmac("deploy", "web")
        }
        #expect(locked.status == 1, "\(locked.stderr)")
        #expect(locked.stderr.contains(store.path) && locked.stderr.contains("database is locked"), "\(locked.stderr)")
        #expect(locked.stderr.contains("nothing was deployed (no host was contacted)"))
        #expect(!listener.wasContacted, "no host was contacted")
        try holder.close()

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: store.path))
        let damaged = try repo.tarmac("deploy", "web")
        #expect(damaged.status == 1, "\(damaged.stderr)")
        #expect(damaged.stderr.contains(store.path) && damaged.stderr.contains("not a database"), "\(damaged.stderr)")
        #expect(!listener.wasContacted)
    }

    @Test func theHistoryAndPipelineLogsArePrivate() throws {
        let closed = try Listener()
        closed.close()  // connections to its port are refused at once
        let repo = try Self.unreachableProject(port: closed.port, pipeline: true)
        defer { repo.remove() }
        // A history an older tarmac made world-readable is narrowed.
        try FileManager.default.createDirectory(atPath: repo.root + "/.tarmac", withIntermediateDirectories: true)
        #expect(chmod(repo.root + "/.tarmac", 0o755) == 0)
        #expect(FileManager.default.createFile(atPath: repo.root + "/.tarmac/state.db", contents: nil))
        #expect(chmod(repo.root + "/.tarmac/state.db", 0o644) == 0)

        let run = try repo.tarmac("run")
        #expect(run.status == 1, "the host is unreachable: \(run.stderr)")
        let state = repo.root + "/.tarmac"
        #expect(mode(state) == 0o700)
        #expect(mode(state + "/logs") == 0o700)
        let logs = try FileManager.default.contentsOfDirectory(atPath: state + "/logs")
        #expect(logs.count == 1 && logs.allSatisfy { mode(state + "/logs/" + $0) == 0o600 }, "\(logs)")
        #expect(mode(state + "/state.db") == 0o600)
        // SQLite gives -wal and -shm the database's mode; they exist while it is open.
        let store = try HistoryStore.open(repositoryRoot: repo.root)
        #expect(try store.deployments(group: "web").count == 1, "the pipeline's deployment was recorded")
        for file in ["state.db-wal", "state.db-shm"] {
            #expect(mode(state + "/" + file) == 0o600, "\(file)")
        }
    }
}

/// A TCP port on 127.0.0.1 that listens and never answers; `wasContacted` says whether a
/// connection came in.
struct Listener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw SandboxError(message: "cannot listen on 127.0.0.1") }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Whether a connection is waiting (the kernel completes the handshake before `accept`).
    var wasContacted: Bool {
        let client = accept(descriptor, nil, nil)
        guard client >= 0 else { return false }
        Glibc.close(client)
        return true
    }

    func close() { _ = Glibc.close(descriptor) }
}
