import Foundation

/// One deployment per group at a time on this build box: an exclusive `flock` on
/// `.tarmac/locks/<group>.lock`. The kernel drops it when tarmac ends, however it ends, so a
/// crash never leaves a lock behind.
final class GroupLock {
    private let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// Takes the lock; refuses with who holds it when another tarmac does.
    static func acquire(repository: String, group: String, deploymentID: String) throws -> GroupLock {
        let directory = repository + "/.tarmac/locks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let safe = String(group.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        let path = directory + "/" + safe + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DeploymentRefusal.lockUnavailable(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw DeploymentRefusal.busy(group: group, holder: holder)
        }
        ftruncate(fd, 0)
        let text = "deployment \(deploymentID), pid \(getpid())\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        return GroupLock(fd: fd)
    }
}
