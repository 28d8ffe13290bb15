import CArchive

/// Compresses a byte stream — an uncompressed tar written elsewhere — into a file with the
/// same deterministic filter settings as `ArchiveWriter` (no gzip timestamp, fixed zstd/xz
/// threads, no zero padding).
///
/// It lets a bundle be built on two threads: one reads, hashes and writes tar entries, the
/// other compresses. Deflate, zstd and xz output does not depend on how the input is chunked,
/// so the result is the same bytes a one-thread writer of the same stream would give.
public final class CompressingStream {
    private var handle: OpaquePointer?
    private let entry: OpaquePointer
    private let name: String

    /// Opens `path` for a compressed tar format (`tar.gz`, `tar.zst`, `tar.xz`; `tar` copies as is).
    public init(path: String, format: ArchiveFormat) throws {
        precondition(format != .zip, "zip compresses per member; use ArchiveWriter")
        ArchiveLibrary.prepareProcess()
        name = path
        let handle = try ArchiveWriterSetup.makeHandle(format: format, level: nil, name: path, rawStream: true)
        guard let entry = archive_entry_new() else {
            archive_write_free(handle)
            throw ArchiveError(archive: path, operation: "create an entry", message: "out of memory")
        }
        self.entry = entry
        self.handle = handle
        // The raw format writes one member's data and no headers: the stream itself.
        archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG: a cast macro the importer skips
        archive_entry_set_pathname(entry, "stream")
        guard archive_write_open_filename(handle, path) == ARCHIVE_OK,
            archive_write_header(handle, entry) == ARCHIVE_OK
        else {
            let error = ArchiveError(handle: handle, archive: path, operation: "open the compressed stream")
            archive_write_fail(handle)
            archive_write_free(handle)
            self.handle = nil
            throw error
        }
    }

    /// Compresses the next bytes of the stream.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let handle else {
            throw ArchiveError(archive: name, operation: "write", message: "the stream is finished")
        }
        var offset = 0
        while offset < bytes.count {
            let written = archive_write_data(handle, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else {
                throw ArchiveError(handle: handle, archive: name, operation: "compress the stream")
            }
            offset += written
        }
    }

    /// Flushes the compressor and closes the file; the output is complete only after this.
    public func finish() throws {
        guard let handle else { return }
        self.handle = nil
        defer { archive_write_free(handle) }
        guard archive_write_close(handle) == ARCHIVE_OK else {
            throw ArchiveError(handle: handle, archive: name, operation: "finish the compressed stream")
        }
    }

    deinit {
        if let handle {
            archive_write_fail(handle)
            archive_write_free(handle)
        }
        archive_entry_free(entry)
    }
}
