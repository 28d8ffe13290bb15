import CArchive

/// Deterministic archive writer: the same entries in the same order give the same bytes
/// on any machine, with any umask and in any time zone.
///
/// Every entry gets uid/gid 0, uname/gname "root", the given mtime (nsec 0) and no
/// atime/ctime/birthtime/xattrs/ACLs. tar formats are pax_restricted (extended headers
/// only for long or non-ASCII names). Directory paths get a trailing "/", which is what
/// libarchive stores anyway, so every format reads back the same path. Callers add
/// entries in their chosen order (tarmac: byte-wise path order); the writer does not sort.
/// One owner: the class holds a libarchive handle and is not Sendable.
public final class ArchiveWriter {
    private let handle: OpaquePointer
    private let entry: OpaquePointer
    private let format: ArchiveFormat
    private let name: String
    private var state = State.open
    /// The file entry whose data is being written, and how many declared bytes are missing.
    private var openFile: (path: String, remaining: Int64)?
    /// Where a callback-opened writer's bytes go: the caller's sink, or for tar.zst a plain tar
    /// into `stream`, which compresses it in zstd frames (to `file` when the writer opened one).
    private var output: (box: SinkBox, stream: CompressingStream?, file: FileOutput?)?

    private enum State { case open, finished, failed }

    /// Creates (or truncates) the file at `path` and writes the archive into it.
    public convenience init(path: String, format: ArchiveFormat, compressionLevel: Int? = nil) throws {
        if format.isChunked {
            // A level out of range must fail before the file is created, as for the other formats.
            try ArchiveWriterSetup.checkLevel(compressionLevel, for: format, name: path)
            let file = try FileOutput(path: path)
            try self.init(
                format: format, chunkedTo: { try file.write($0) }, file: file, level: compressionLevel, name: path)
        } else {
            try self.init(format: format, level: compressionLevel, name: path) { handle in
                // Records of 1 MiB, not 10 KiB: a hundredth of the write calls (no padding either way).
                guard archive_write_set_bytes_per_block(handle, 1 << 20) == ARCHIVE_OK else { return ARCHIVE_FATAL }
                return archive_write_open_filename(handle, path)
            }
        }
    }

    /// Writes the archive to an open descriptor (a file, a pipe, a socket); does not close it.
    public convenience init(fileDescriptor: Int32, format: ArchiveFormat, compressionLevel: Int? = nil) throws {
        let name = "file descriptor \(fileDescriptor)"
        if format.isChunked {
            let file = FileOutput(fileDescriptor: fileDescriptor, name: name)
            try self.init(
                format: format, chunkedTo: { try file.write($0) }, file: file, level: compressionLevel, name: name)
        } else {
            try self.init(format: format, level: compressionLevel, name: name) {
                archive_write_open_fd($0, fileDescriptor)
            }
        }
    }

    /// Hands the archive's bytes to `sink` in order (e.g. to hash them on their way to a file).
    /// For tar.gz and tar.zst, `plain` (when given) sees the uncompressed tar first, in order:
    /// the stream `sink` receives compressed.
    public convenience init(
        format: ArchiveFormat, compressionLevel: Int? = nil, name: String,
        plain: CompressingStream.Sink? = nil, sink: @escaping CompressingStream.Sink
    ) throws {
        if format.isChunked {
            try self.init(
                format: format, chunkedTo: sink, file: nil, level: compressionLevel, name: name, plain: plain)
        } else {
            precondition(plain == nil, "only a chunked format has an uncompressed tar to show")
            let box = SinkBox(sink)
            try self.init(format: format, level: compressionLevel, name: name) { box.open($0) }
            output = (box, nil, nil)
        }
    }

    /// tar.zst and tar.gz are a plain tar compressed by `CompressingStream` in chunks on several
    /// threads, never libarchive's filters: every writer gives the same bytes for the same
    /// entries, whatever the libzstd, and however many threads.
    private convenience init(
        format: ArchiveFormat, chunkedTo sink: @escaping CompressingStream.Sink, file: FileOutput?, level: Int?,
        name: String, plain: CompressingStream.Sink? = nil
    ) throws {
        let stream = try CompressingStream(format: format, level: level, name: name, sink: sink)
        let box =
            plain.map { plain in
                SinkBox {
                    try plain($0)
                    try stream.write($0)
                }
            } ?? SinkBox { try stream.write($0) }
        try self.init(format: format, container: .tar, level: nil, name: name) { handle in
            // No 10 KiB records to copy into: the encoder gathers its own chunks (no padding either way).
            guard archive_write_set_bytes_per_block(handle, 0) == ARCHIVE_OK else { return ARCHIVE_FATAL }
            return box.open(handle)
        }
        output = (box, stream, file)
    }

    private init(
        format: ArchiveFormat, container: ArchiveFormat? = nil, level: Int?, name: String,
        open: (OpaquePointer) -> Int32
    ) throws {
        ArchiveLibrary.prepareProcess()
        let handle = try ArchiveWriterSetup.makeHandle(format: container ?? format, level: level, name: name)
        guard let entry = archive_entry_new() else {
            archive_write_free(handle)
            throw ArchiveError(archive: name, operation: "allocate an entry", message: "out of memory")
        }
        self.handle = handle
        self.entry = entry
        self.format = format
        self.name = name
        // From here on deinit frees both handles.
        guard open(handle) == ARCHIVE_OK else {
            state = .failed
            throw ArchiveError(handle: handle, archive: name, operation: "open the archive for writing")
        }
    }

    deinit {
        // An abandoned writer must not look complete: archive_write_fail stops
        // archive_write_free from writing the end-of-archive marker and compressor trailer.
        if state != .finished { archive_write_fail(handle) }
        archive_write_free(handle)
        archive_entry_free(entry)
    }

    /// Adds a directory entry; a trailing "/" is added to `path` when missing.
    public func addDirectory(path: String, permissions: UInt32, mtime: Int64) throws {
        let stored = path.isEmpty || path.hasSuffix("/") ? path : path + "/"
        try writeHeader(path: stored, fileType: FileTypeBits.directory, permissions: permissions, size: 0, mtime: mtime)
    }

    /// Adds a symbolic link to `target` (stored verbatim) with permissions 0777 and size 0.
    public func addSymlink(path: String, target: String, mtime: Int64) throws {
        try Self.validate(target, what: "symlink target", archive: name)
        try writeHeader(path: path, fileType: FileTypeBits.symlink, permissions: 0o777, size: 0, mtime: mtime) {
            archive_entry_set_symlink_utf8($0, target)
        }
    }

    /// Starts a regular file of exactly `size` bytes; send them with `writeData`.
    public func beginFile(path: String, permissions: UInt32, size: Int64, mtime: Int64) throws {
        guard size >= 0 else {
            throw ArchiveError(archive: name, operation: "add '\(path)'", message: "negative size \(size)")
        }
        try writeHeader(path: path, fileType: FileTypeBits.regular, permissions: permissions, size: size, mtime: mtime)
        openFile = (path, size)
    }

    /// Writes the next bytes of the file begun last; may be called any number of times.
    public func writeData(_ bytes: UnsafeRawBufferPointer) throws {
        try checkOpen(operation: "write data")
        guard let file = openFile else {
            throw failure("write data", "no file entry is open (call beginFile first)")
        }
        guard Int64(bytes.count) <= file.remaining else {
            throw failure(
                "write the data of '\(file.path)'",
                "\(bytes.count) more bytes given but only \(file.remaining) of the declared size remain")
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var done = 0
        while done < bytes.count {
            let written = archive_write_data(handle, base + done, bytes.count - done)
            guard written > 0 else { throw libarchiveFailure("write the data of '\(file.path)'") }
            done += written
        }
        openFile = (file.path, file.remaining - Int64(bytes.count))
    }

    /// Adds a regular file with its whole contents.
    public func addFile(path: String, permissions: UInt32, mtime: Int64, contents: [UInt8]) throws {
        try beginFile(path: path, permissions: permissions, size: Int64(contents.count), mtime: mtime)
        try contents.withUnsafeBytes { try writeData($0) }
    }

    /// Writes the end of the archive and flushes the compressor; the archive is incomplete until this succeeds.
    public func finish() throws {
        try checkOpen(operation: "finish the archive")
        try checkFileComplete()
        let result = inTimeZoneOfFormat { archive_write_close(handle) }
        guard result == ARCHIVE_OK else { throw libarchiveFailure("finish the archive") }
        if let output {
            do {
                try output.stream?.finish()
                try output.file?.close()
            } catch {
                state = .failed
                throw error
            }
        }
        state = .finished
    }

    // MARK: - Entries

    private func writeHeader(
        path: String, fileType: UInt32, permissions: UInt32, size: Int64, mtime: Int64,
        extra: (OpaquePointer) -> Void = { _ in }
    ) throws {
        try checkOpen(operation: "add '\(path)'")
        try checkFileComplete()
        try Self.validate(path, what: "path", archive: name)
        archive_entry_clear(entry)
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_filetype(entry, fileType)
        archive_entry_set_perm(entry, permissions & 0o7777)
        archive_entry_set_size(entry, size)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_uname_utf8(entry, "root")
        archive_entry_set_gname_utf8(entry, "root")
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        extra(entry)
        // A warning here means a name was altered (e.g. not convertible): fail, never store it silently.
        guard inTimeZoneOfFormat({ archive_write_header(handle, entry) }) == ARCHIVE_OK else {
            throw libarchiveFailure("write the header of '\(path)'")
        }
    }

    private func inTimeZoneOfFormat(_ body: () -> Int32) -> Int32 {
        format == .zip ? ArchiveLibrary.withUTCTimeZone(body) : body()
    }

    /// Strings go to C as NUL-terminated UTF-8, and non-ASCII ones need the UTF-8 locale
    /// (in the "C" locale libarchive crashes or writes an empty name).
    private static func validate(_ text: String, what: String, archive: String) throws {
        let refuse = { (message: String) in
            ArchiveError(archive: archive, operation: "add \(what) '\(text)'", message: message)
        }
        if text.isEmpty { throw refuse("the \(what) is empty") }
        if text.utf8.contains(0) { throw refuse("the \(what) contains a NUL byte") }
        if !text.utf8.allSatisfy({ $0 < 0x80 }) && !ArchiveLibrary.localeIsUTF8 {
            throw refuse("non-ASCII names need the C.UTF-8 locale; call ArchiveLibrary.prepareProcess()")
        }
    }

    // MARK: - State

    private func checkOpen(operation: String) throws {
        switch state {
        case .open: return
        case .finished:
            throw ArchiveError(archive: name, operation: operation, message: "the archive is already finished")
        case .failed: throw ArchiveError(archive: name, operation: operation, message: "an earlier step failed")
        }
    }

    /// libarchive silently pads a short file with zeros; a short file is a caller bug, so say so.
    private func checkFileComplete() throws {
        if let file = openFile, file.remaining > 0 {
            throw failure("finish '\(file.path)'", "\(file.remaining) bytes of the declared size were never written")
        }
        openFile = nil
    }

    private func failure(_ operation: String, _ message: String) -> ArchiveError {
        state = .failed
        return ArchiveError(archive: name, operation: operation, message: message)
    }

    private func libarchiveFailure(_ operation: String) -> any Error {
        state = .failed
        // libarchive only saw the sink (or the tar.zst compressor) fail; its own error says why.
        if let error = output?.box.error { return error }
        return ArchiveError(handle: handle, archive: name, operation: operation)
    }
}

@available(*, unavailable, message: "an ArchiveWriter owns a libarchive handle; keep it in one task")
extension ArchiveWriter: Sendable {}
