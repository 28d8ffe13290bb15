import Crypto
import Foundation

/// Writes bytes to a new file and hashes them on the way, so a bundle's SHA-256 is known the
/// moment its last byte is written, without reading the file again.
final class HashingFileSink: @unchecked Sendable {
    private var fd: Int32
    private var hasher = SHA256()
    let path: String

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BundleError.failed("cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    /// A sink abandoned after a failure still lets go of its descriptor.
    deinit {
        if fd >= 0 { close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw BundleError.failed("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Closes the file and returns the hex SHA-256 of everything written.
    func finish() throws -> String {
        let descriptor = fd
        fd = -1
        guard close(descriptor) == 0 else {
            throw BundleError.failed("cannot close \(path): \(String(cString: strerror(errno)))")
        }
        return hasher.finalize().hex
    }
}
