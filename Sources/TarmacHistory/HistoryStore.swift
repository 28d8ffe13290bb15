import Foundation
import GRDB

/// The deployment history of one repository, in one SQLite database (WAL mode).
///
/// Writes happen while a deployment runs; reads serve `tarmac history`, `show`, `logs` and
/// rollback. Safe to share between tasks; another tarmac process may read it at the same time.
public struct HistoryStore: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    let clock: @Sendable () -> Date
    let processID: Int32

    /// `.tarmac/state.db` under `repositoryRoot`.
    public static func databasePath(repositoryRoot: String) -> String {
        repositoryRoot + "/.tarmac/state.db"
    }

    /// Opens (creating when needed) the history of the repository at `repositoryRoot`; `.tarmac/`
    /// gets a `.gitignore` so tarmac's state never shows up as untracked files.
    public static func open(
        repositoryRoot: String, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> HistoryStore {
        let state = repositoryRoot + "/.tarmac"
        let ignore = state + "/.gitignore"
        do {
            try Self.privateDirectory(state)
            if !FileManager.default.fileExists(atPath: ignore) {
                try Data("# tarmac's state: bundles, history, logs. Never committed.\n*\n".utf8)
                    .write(to: URL(fileURLWithPath: ignore))
            }
        } catch {
            throw HistoryError.storage(path: state, reason: "\(error)")
        }
        return try HistoryStore(path: databasePath(repositoryRoot: repositoryRoot), clock: clock)
    }

    /// Opens (creating when needed) the database at `path` and brings its schema up to date.
    /// `clock` stamps the times the store decides itself (start, finish, output lines).
    public init(
        path: String, clock: @escaping @Sendable () -> Date = { Date() },
        processID: Int32 = ProcessInfo.processInfo.processIdentifier
    ) throws {
        self.path = path
        self.clock = clock
        self.processID = processID
        var configuration = Configuration()
        // Another tarmac (a deployment, a `tarmac history`) may hold the write lock briefly.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // In WAL mode NORMAL stays consistent after a crash and spares an fsync per commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Self.makePrivate(database: path)
            pool = try DatabasePool(path: path, configuration: configuration)
            try HistorySchema.migrator.migrate(pool)
        } catch {
            throw HistoryError.storage(path: path, reason: "\(error)")
        }
    }

    /// Hook output lands in the database: it is created 0600 before SQLite opens it (SQLite
    /// gives `-wal` and `-shm` the database's mode), and an older, wider one is narrowed.
    ///
    /// An existing database is never opened here: closing any descriptor of it would drop the
    /// POSIX locks SQLite holds on it for this process's other connections (SQLite's "how to
    /// corrupt" 2.2). `O_EXCL` makes that so even when another process creates it meanwhile.
    static func makePrivate(database path: String) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 {
            Glibc.close(fd)
        } else if errno != EEXIST {
            throw HistoryError.storage(path: path, reason: String(cString: strerror(errno)))
        }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            _ = chmod(file, 0o600)
        }
    }

    /// Creates `path` (and its parents) as a directory only its owner can enter, 0700, and
    /// narrows an existing one: `.tarmac/` holds hook output, logs and bundles.
    public static func privateDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = chmod(path, 0o700)
    }

    /// The migrations applied to the database, oldest first.
    func appliedMigrations() throws -> [String] {
        try read { db in try HistorySchema.migrator.appliedMigrations(db) }
    }

    /// Runs `work` in a write transaction; database errors become `HistoryError.storage`.
    func write<T>(_ work: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(work)
        } catch let error as HistoryError {
            throw error
        } catch {
            throw HistoryError.storage(path: path, reason: "\(error)")
        }
    }

    /// Runs `work` on a snapshot of the database; database errors become `HistoryError.storage`.
    func read<T>(_ work: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(work)
        } catch let error as HistoryError {
            throw error
        } catch {
            throw HistoryError.storage(path: path, reason: "\(error)")
        }
    }
}
