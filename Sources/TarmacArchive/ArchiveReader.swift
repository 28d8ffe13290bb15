import CArchive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Restricted archive reader: tar (every tar variant) and zip, compressed with gzip, zstd,
/// xz, bzip2 or not at all. It only reads: nothing is ever written to disk.
///
/// Deliberately not `archive_read_support_*_all`: those register bidders that run external
/// programs (lrzip, grzip, lzop) and the RAR/7z/ISO/CAB parsers, where most libarchive CVEs are.
/// One owner: the class holds a libarchive handle and is not Sendable.
public final class ArchiveReader {
    private let handle: OpaquePointer
    private let name: String
    /// The current entry (owned by libarchive, valid until the next header) and its path.
    private var entry: OpaquePointer?
    private var entryPath = ""
    /// True once readData or skipData has started on the current entry: libarchive cannot rewind.
    private var dataTaken = false
    private var atEnd = false
    /// The file's tar, inflated ahead (a bounded gzip file): libarchive reads it from memory.
    private let inflated: WholeGzip?
    /// The file's gzip members, inflated one at a time as libarchive asks for them.
    private let members: GzipMembers?

    /// Opens the archive file at `path` (zip read through its central directory).
    ///
    /// A gzip file of at most `inflatingWholeUpTo` bytes is inflated with libdeflate: member by
    /// member into one buffer when its members are small, as tarmac writes them
    /// (`GzipMembers`), else in one call, its tar then read from memory (`WholeGzip`, when it
    /// inflates to at most that many bytes): the same entries, much sooner. Any other file, or
    /// one both refuse, streams through libarchive.
    public convenience init(path: String, inflatingWholeUpTo limit: Int = WholeGzip.defaultLimit) throws {
        try self.init(path: path, inflatingWholeUpTo: limit, firstMemberUpTo: GzipMembers.firstLimit)
    }

    /// As `init(path:inflatingWholeUpTo:)`, member by member only when the first member
    /// inflates to at most `firstMemberUpTo` bytes (0: never).
    convenience init(path: String, inflatingWholeUpTo limit: Int, firstMemberUpTo firstLimit: Int) throws {
        if let members = GzipMembers.open(path: path, limit: limit, firstLimit: firstLimit) {
            try self.init(name: path, seekable: false, members: members) { members.open($0) }
            return
        }
        if let whole = WholeGzip.inflate(path: path, limit: limit) {
            try self.init(name: path, seekable: true, inflated: whole) {
                archive_read_open_memory($0, whole.bytes.baseAddress, whole.bytes.count)
            }
            return
        }
        try self.init(name: path, seekable: true) {
            archive_read_open_filename($0, path, blockSize)
        }
    }

    /// Reads an archive from an open descriptor, e.g. the output of `git archive`; does not close it.
    ///
    /// A regular file is read like a path. A pipe cannot seek, so zip is then read front to
    /// back from its local headers, which carry no Unix modes: permissions are libarchive's
    /// guesses (0664/0775) unless the central directory had been seen.
    public convenience init(fileDescriptor: Int32) throws {
        var status = stat()
        let seekable = fstat(fileDescriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        try self.init(name: "file descriptor \(fileDescriptor)", seekable: seekable) {
            archive_read_open_fd($0, fileDescriptor, blockSize)
        }
    }

    private init(
        name: String, seekable: Bool, inflated: WholeGzip? = nil, members: GzipMembers? = nil,
        open: (OpaquePointer) -> Int32
    ) throws {
        ArchiveLibrary.prepareProcess()
        guard let handle = archive_read_new() else {
            throw ArchiveError(archive: name, operation: "create a reader", message: "out of memory")
        }
        self.handle = handle
        self.name = name
        self.inflated = inflated
        self.members = members
        // From here on deinit frees the handle.
        let supports: [(String, (OpaquePointer) -> Int32)] = [
            ("gzip", archive_read_support_filter_gzip), ("zstd", archive_read_support_filter_zstd),
            ("xz", archive_read_support_filter_xz), ("bzip2", archive_read_support_filter_bzip2),
            ("no compression", archive_read_support_filter_none), ("tar", archive_read_support_format_tar),
            ("zip", seekable ? archive_read_support_format_zip_seekable : archive_read_support_format_zip_streamable),
        ]
        // ARCHIVE_WARN here means "will run an external program instead": refuse that too.
        for (what, support) in supports where support(handle) != ARCHIVE_OK {
            throw ArchiveError(handle: handle, archive: name, operation: "enable \(what) support")
        }
        guard open(handle) == ARCHIVE_OK else {
            throw ArchiveError(handle: handle, archive: name, operation: "open the archive")
        }
    }

    deinit {
        archive_read_free(handle)
    }

    /// The next entry's header, or nil after the last one. libarchive warnings are not fatal.
    public func nextEntry() throws -> ArchiveEntryHeader? {
        guard !atEnd else { return nil }
        entry = nil
        var next: OpaquePointer?
        var result = archive_read_next_header(handle, &next)
        while result == ARCHIVE_RETRY { result = archive_read_next_header(handle, &next) }
        switch result {
        case ARCHIVE_EOF:
            atEnd = true
            return nil
        case ARCHIVE_OK, ARCHIVE_WARN:
            guard let next else { break }
            entry = next
            let header = ArchiveEntryHeader(entry: next)
            entryPath = header.path
            dataTaken = false
            return header
        default:
            break
        }
        atEnd = true  // after FAILED/FATAL the handle cannot be trusted to continue
        throw ArchiveError(handle: handle, archive: name, operation: "read the next entry header")
    }

    /// Streams the current entry's data in libarchive's blocks, never the whole entry at once.
    ///
    /// Each buffer is valid only during the call. Holes of sparse files arrive as zeros, up to
    /// the header's size (the logical size: check it before reading). Callable once per entry;
    /// an error thrown by `body` stops reading and is rethrown unchanged.
    public func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let path = try currentPath(operation: "read data")
        guard !dataTaken else {
            throw ArchiveError(
                archive: name, operation: "read the data of '\(path)'", message: "the data was already read or skipped")
        }
        dataTaken = true
        var position: Int64 = 0
        while true {
            var buffer: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let result = archive_read_data_block(handle, &buffer, &size, &offset)
            if result == ARCHIVE_EOF { break }
            guard result == ARCHIVE_OK || result == ARCHIVE_WARN else {
                throw ArchiveError(handle: handle, archive: name, operation: "read the data of '\(path)'")
            }
            if offset > position { try Self.emitZeros(count: offset - position, to: body) }
            position = max(position, offset + Int64(size))
            // From memory (an archive inflated whole) libarchive hands out a whole entry at once:
            // it goes on in blocks of the streamed size, as the contract says.
            var done = 0
            while done < size {
                let count = min(size - done, blockSize)
                try body(UnsafeRawBufferPointer(start: buffer.map { $0 + done }, count: count))
                done += count
            }
        }
        // A sparse file may end in a hole: the entry size says how long it really is.
        if let entry, archive_entry_size_is_set(entry) != 0, archive_entry_size(entry) > position {
            try Self.emitZeros(count: archive_entry_size(entry) - position, to: body)
        }
    }

    /// Skips the current entry's data (or what is left of it).
    public func skipData() throws {
        let path = try currentPath(operation: "skip data")
        dataTaken = true
        guard archive_read_data_skip(handle) == ARCHIVE_OK else {
            throw ArchiveError(handle: handle, archive: name, operation: "skip the data of '\(path)'")
        }
    }

    /// Bytes of the decompressed archive stream consumed so far (headers, data, padding):
    /// grows with what the reader has really decompressed, whatever the headers claim.
    public var streamPosition: Int64 { archive_filter_bytes(handle, 0) }

    /// The format libarchive detected, e.g. "POSIX pax interchange format" (known after the first header).
    public var formatName: String? { archive_format_name(handle).map { String(cString: $0) } }

    /// The outermost compression detected, e.g. "gzip", "zstd" or "none".
    public var filterName: String? {
        if inflated != nil || members != nil { return "gzip" }
        return archive_filter_count(handle) > 0 ? archive_filter_name(handle, 0).map { String(cString: $0) } : nil
    }

    /// True when the archive was inflated whole ahead (`WholeGzip`) rather than streamed.
    public var inflatedWhole: Bool { inflated != nil }

    /// True when the archive's gzip members are inflated one at a time by libdeflate
    /// (`GzipMembers`) rather than streamed through libarchive's gzip reader.
    public var inflatedByMember: Bool { members != nil }

    /// What the reader shares with its inflating thread (`GzipMembers`), for tests: it is
    /// released once the reader is and the thread has ended.
    var memberCore: GzipMembers.Core? { members?.core }

    /// True when `block` (from `readData`) lies in the memory of an archive inflated whole:
    /// unlike other blocks it stays valid after the call, until the reader is released.
    public func isHeld(_ block: UnsafeRawBufferPointer) -> Bool {
        guard let inflated, let start = block.baseAddress, let base = inflated.bytes.baseAddress else { return false }
        return start >= UnsafeRawPointer(base) && start + block.count <= UnsafeRawPointer(base) + inflated.bytes.count
    }

    private func currentPath(operation: String) throws -> String {
        guard entry != nil else {
            throw ArchiveError(archive: name, operation: operation, message: "no current entry (call nextEntry first)")
        }
        return entryPath
    }

    private static func emitZeros(count: Int64, to body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let chunk = [UInt8](repeating: 0, count: Int(min(count, Int64(blockSize))))
        var left = count
        try chunk.withUnsafeBytes { zeros in
            while left > 0 {
                let n = Int(min(left, Int64(zeros.count)))
                try body(UnsafeRawBufferPointer(rebasing: zeros[0..<n]))
                left -= Int64(n)
            }
        }
    }
}

/// Read size for files and pipes; also the largest block handed to `readData` for holes.
private let blockSize = 64 * 1024

@available(*, unavailable, message: "an ArchiveReader owns a libarchive handle; keep it in one task")
extension ArchiveReader: Sendable {}
