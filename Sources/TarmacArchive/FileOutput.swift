#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written front to back through a descriptor: what zstd frames go to when a tar.zst is
/// written to a path or a descriptor rather than to a caller's sink.
final class FileOutput {
    private var descriptor: Int32
    private let ownsDescriptor: Bool
    private let name: String

    /// Creates (or truncates) `path`, mode 0666 less the umask, like libarchive's own files.
    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        ownsDescriptor = true
        name = path
        guard descriptor >= 0 else {
            throw ArchiveError(
                archive: path, operation: "open the archive for writing", message: String(cString: strerror(errno)),
                errorNumber: errno)
        }
    }

    /// Writes to an open descriptor, which stays open.
    init(fileDescriptor: Int32, name: String) {
        descriptor = fileDescriptor
        ownsDescriptor = false
        self.name = name
    }

    deinit {
        if ownsDescriptor && descriptor >= 0 { _ = closeDescriptor(descriptor) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = writeDescriptor(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure("write the archive") }
            offset += written
        }
    }

    /// Closes a descriptor this output opened; a failed close can mean lost data.
    func close() throws {
        guard ownsDescriptor, descriptor >= 0 else { return }
        let result = closeDescriptor(descriptor)
        descriptor = -1
        guard result == 0 else { throw failure("close the archive") }
    }

    private func failure(_ operation: String) -> ArchiveError {
        ArchiveError(archive: name, operation: operation, message: String(cString: strerror(errno)), errorNumber: errno)
    }
}

// The C calls under names the methods above do not shadow.
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func writeDescriptor(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
