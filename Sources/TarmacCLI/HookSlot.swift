import ArgumentParser
import Foundation
import TarmacGit

/// The place of a repository's `post-commit` hook: what is there, what install and uninstall
/// decide to do about it, and the few file operations that carry the decisions out.
struct HookSlot {
    /// What the hook file is.
    enum Occupant: Equatable {
        case none, tarmacs, foreign
    }

    /// What `tarmac hook install` does.
    enum Install: Equatable {
        /// Write tarmac's hook; `chain` first renames the foreign hook to `.tarmac-chained`.
        case write(chain: Bool)
        /// A foreign hook and a chained one both exist: changing either could lose a hook.
        case refuse
    }

    /// What `tarmac hook uninstall` does.
    enum Uninstall: Equatable {
        case nothing
        /// Remove tarmac's hook (when it is there), then put the chained hook back (when there is one).
        case remove(hook: Bool, restore: Bool)
        /// The hook is not tarmac's.
        case refuse
    }

    /// Absolute path of the hook file.
    var path: String
    /// The path as people see it: relative to the repository root when it is inside it.
    var display: String

    var chained: String { path + PostCommitHook.chainedSuffix }
    var chainedName: String { (chained as NSString).lastPathComponent }

    init(path: String, root: String) {
        self.path = path
        self.display = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// The post-commit hook's place in `repository`, as git reports it.
    static func locate(_ repository: GitRepository) async throws -> HookSlot {
        do {
            return HookSlot(path: try await repository.hookPath("post-commit"), root: repository.root)
        } catch {
            Console.say("error: cannot find where git keeps the hooks of \(repository.root): \(error)")
            throw ExitCode(Exit.failed)
        }
    }

    static func install(_ occupant: Occupant, chainedExists: Bool) -> Install {
        switch occupant {
        case .none, .tarmacs: .write(chain: false)
        case .foreign: chainedExists ? .refuse : .write(chain: true)
        }
    }

    static func uninstall(_ occupant: Occupant, chainedExists: Bool) -> Uninstall {
        switch occupant {
        case .foreign: .refuse
        case .tarmacs: .remove(hook: true, restore: chainedExists)
        case .none: chainedExists ? .remove(hook: false, restore: true) : .nothing
        }
    }

    /// What is at `path` now; a symlink counts as present even when it dangles.
    func occupant() -> Occupant {
        guard Self.exists(path) else { return .none }
        let text = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        return PostCommitHook.isTarmacs(text) ? .tarmacs : .foreign
    }

    var chainedExists: Bool { Self.exists(chained) }

    /// Writes `text` as the hook, mode 0755, replacing the file (never writing through a symlink).
    func write(_ text: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".tarmac-new"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
            try Self.rename(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Renames the hook to the chained name; bytes and mode are kept.
    func chainExisting() throws { try Self.rename(path, to: chained) }

    /// Renames the chained hook back to the hook's name.
    func restoreChained() throws { try Self.rename(chained, to: path) }

    func removeHook() throws { try FileManager.default.removeItem(atPath: path) }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw RenameError(from: from, to: to, reason: String(cString: strerror(errno)))
        }
    }

    /// A rename that failed, with the system's reason.
    struct RenameError: Error, CustomStringConvertible {
        var from: String
        var to: String
        var reason: String
        var description: String { "cannot rename \(from) to \(to): \(reason)" }
    }
}
