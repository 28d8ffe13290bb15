import CArchive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A gzip file of bounded size inflated in one pass with libdeflate, which inflates about
/// two and a half times as fast as zlib, the library libarchive streams gzip through.
///
/// Only the plain case is taken: gzip members, one after another, that fill the file and
/// inflate to at most `limit` bytes in all, each with the CRC-32 and size its trailer names
/// (libdeflate checks both). Anything else (bytes after the last member, damage, a trailer
/// that lies, a larger file) gives nil, and the caller streams the file through libarchive as
/// before, with libarchive's errors and limits.
///
/// Memory: the file and its inflated bytes at once, so at most about twice `limit`.
public final class WholeGzip {
    /// The most an archive may inflate to for the one-pass path (larger ones stream).
    public static let defaultLimit = 128 << 20

    /// The inflated bytes, at the start of `mapping`.
    let bytes: UnsafeMutableRawBufferPointer
    /// A private anonymous mapping of `limit` bytes, unmapped with the object; only the pages
    /// written cost memory.
    private let mapping: UnsafeMutableRawBufferPointer

    private init(bytes: UnsafeMutableRawBufferPointer, mapping: UnsafeMutableRawBufferPointer) {
        self.bytes = bytes
        self.mapping = mapping
    }

    deinit {
        munmap(mapping.baseAddress, mapping.count)
    }

    /// `count` bytes of address space, zeroed where they are touched, in huge pages where the
    /// kernel allows them (`MADV_HUGEPAGE`): a 60 MB archive then costs some thirty page faults
    /// instead of fifteen thousand.
    private static func map(_ count: Int) -> UnsafeMutableRawBufferPointer? {
        let address = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let address, address != MAP_FAILED else { return nil }
        _ = madvise(address, count, MADV_HUGEPAGE)
        return UnsafeMutableRawBufferPointer(start: address, count: count)
    }

    /// The inflated contents of the gzip file at `path`, or nil when it is not the plain case.
    static func inflate(path: String, limit: Int = defaultLimit) -> WholeGzip? {
        guard let input = readGzipFile(path, limit: limit) else { return nil }
        defer { input.deallocate() }
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        guard let output = map(limit) else { return nil }
        // One member per call; more room than the limit leaves is a file too large (nil).
        func inflateAll() -> Int? {
            var read = 0
            var written = 0
            while read < input.count {
                var consumed = 0
                var produced = 0
                let result = libdeflate_gzip_decompress_ex(
                    decompressor, input.baseAddress! + read, input.count - read, output.baseAddress! + written,
                    output.count - written, &consumed, &produced)
                guard result == LIBDEFLATE_SUCCESS, consumed > 0 else { return nil }
                read += consumed
                written += produced
            }
            return written > 0 ? written : nil
        }
        guard let written = inflateAll() else {
            munmap(output.baseAddress, output.count)
            return nil
        }
        return WholeGzip(bytes: UnsafeMutableRawBufferPointer(rebasing: output[..<written]), mapping: output)
    }

    /// The bytes of the regular file at `path` when it starts like gzip and holds at most
    /// `limit` bytes (and a member's least, 18); the caller deallocates them.
    static func readGzipFile(_ path: String, limit: Int) -> UnsafeMutableRawBufferPointer? {
        guard limit > 0 else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size >= 18,
            info.st_size <= Int64(limit)
        else { return nil }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(info.st_size), alignment: 16)
        guard readFully(descriptor, into: input), input[0] == 0x1F, input[1] == 0x8B else {
            input.deallocate()
            return nil
        }
        return input
    }

    private static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var done = 0
        while done < buffer.count {
            let count = read(descriptor, buffer.baseAddress! + done, buffer.count - done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }
}
