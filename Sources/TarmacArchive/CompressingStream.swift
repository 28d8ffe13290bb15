import CArchive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compresses a byte stream — an uncompressed tar written elsewhere — into a file with the
/// same deterministic settings as `ArchiveWriter` (gzip and zstd in chunks of fixed size on
/// `ArchiveFormat.encoderThreads` workers, no gzip timestamp, fixed xz threads, no zero
/// padding). The output does not depend on how the input is sliced, so the result is the same
/// bytes `ArchiveWriter` gives for the same stream.
public final class CompressingStream {
    /// Receives the compressed bytes, in order.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private var handle: OpaquePointer?
    /// tar.zst and tar.gz: chunks compressed on several threads (`ZstdFrameEncoder`,
    /// `GzipBlockEncoder`), not libarchive's filters.
    private var chunks: (any ChunkWriting)?
    private let entry: OpaquePointer?
    private let name: String
    private let output: SinkBox?
    /// The file `init(path:format:)` opened for chunks, closed by `finish`.
    private var file: FileOutput?

    /// Opens `path` for a compressed tar format (`tar.gz`, `tar.zst`, `tar.xz`; `tar` copies as is).
    public convenience init(path: String, format: ArchiveFormat) throws {
        if format.isChunked {
            let file = try FileOutput(path: path)
            try self.init(format: format, name: path) { try file.write($0) }
            self.file = file
        } else {
            try self.init(name: path, format: format, sink: nil) { archive_write_open_filename($0, path) }
        }
    }

    /// Hands the compressed bytes to `sink` (e.g. to hash them while they are written).
    public convenience init(format: ArchiveFormat, name: String, sink: @escaping Sink) throws {
        try self.init(format: format, level: nil, name: name, sink: sink)
    }

    /// The same at a compression level other than the format's default (`ArchiveWriter`'s tar.zst).
    convenience init(format: ArchiveFormat, level: Int?, name: String, sink: @escaping Sink) throws {
        let box = SinkBox(sink)
        try self.init(name: name, format: format, level: level, sink: box) { box.open($0) }
    }

    private init(
        name: String, format: ArchiveFormat, level: Int? = nil, sink: SinkBox?, open: (OpaquePointer) -> Int32
    ) throws {
        precondition(format != .zip, "zip compresses per member; use ArchiveWriter")
        ArchiveLibrary.prepareProcess()
        self.name = name
        self.output = sink
        if format.isChunked, let sink {
            try ArchiveWriterSetup.checkLevel(level, for: format, name: name)
            let level = level ?? format.defaultCompressionLevel ?? 3
            let write: Sink = { bytes in
                do { try sink.sink(bytes) } catch {
                    sink.error = error
                    throw error
                }
            }
            chunks =
                format == .tarZst
                ? ZstdFrameEncoder(level: level, threads: ArchiveFormat.encoderThreads, name: name, sink: write)
                : GzipBlockEncoder(level: level, threads: ArchiveFormat.encoderThreads, name: name, sink: write)
            entry = nil
            return
        }
        let path = name
        let handle = try ArchiveWriterSetup.makeHandle(format: format, level: level, name: path, rawStream: true)
        guard let entry = archive_entry_new() else {
            archive_write_free(handle)
            throw ArchiveError(archive: path, operation: "create an entry", message: "out of memory")
        }
        self.entry = entry
        self.handle = handle
        // The raw format writes one member's data and no headers: the stream itself.
        archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG: a cast macro the importer skips
        archive_entry_set_pathname(entry, "stream")
        guard open(handle) == ARCHIVE_OK,
            archive_write_header(handle, entry) == ARCHIVE_OK
        else {
            let error = ArchiveError(handle: handle, archive: path, operation: "open the compressed stream")
            archive_write_fail(handle)
            archive_write_free(handle)
            self.handle = nil
            throw error
        }
    }

    /// The error the sink threw, if it stopped the stream.
    public var sinkError: (any Error)? { output?.error }

    /// Compresses the next bytes of the stream.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let chunks { return try chunks.write(bytes) }
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
        if let chunks {
            self.chunks = nil
            try chunks.finish()
            try file?.close()
            return
        }
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
        if let entry { archive_entry_free(entry) }
    }
}

/// The sink of a callback-opened stream, with the error it threw (libarchive only sees -1).
final class SinkBox {
    let sink: CompressingStream.Sink
    var error: (any Error)?

    init(_ sink: @escaping CompressingStream.Sink) {
        self.sink = sink
    }

    /// Opens `handle` to write through this box; the box must outlive the handle.
    func open(_ handle: OpaquePointer) -> Int32 {
        archive_write_open2(handle, Unmanaged.passUnretained(self).toOpaque(), nil, Self.write, nil, nil)
    }

    static let write: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> Int = {
        _, context, buffer, length in
        guard let context, let buffer else { return -1 }
        let box = Unmanaged<SinkBox>.fromOpaque(context).takeUnretainedValue()
        do {
            try box.sink(UnsafeRawBufferPointer(start: buffer, count: length))
            return length
        } catch {
            box.error = error
            return -1
        }
    }
}
