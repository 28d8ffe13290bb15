import CArchive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A gzip file of bounded size inflated in one call with libdeflate, which inflates about
/// two and a half times as fast as zlib, the library libarchive streams gzip through.
///
/// Only the plain case is taken: one gzip member that fills the file, whose trailer says it
/// inflates to at most `limit` bytes, and whose data inflates to exactly that many bytes with
/// the CRC-32 the trailer names. Anything else (several members, bytes after the member,
/// damage, a trailer that lies, a larger file) gives nil, and the caller streams the file
/// through libarchive as before, with libarchive's errors and limits.
///
/// Memory: the file and its inflated bytes at once, so at most about twice `limit`.
public final class WholeGzip {
    /// The most an archive may inflate to for the one-call path (larger ones stream).
    public static let defaultLimit = 128 << 20

    /// The inflated bytes; owned here (a private anonymous mapping), unmapped with the object.
    let bytes: UnsafeMutableRawBufferPointer

    private init(bytes: UnsafeMutableRawBufferPointer) {
        self.bytes = bytes
    }

    deinit {
        munmap(bytes.baseAddress, bytes.count)
    }

    /// `count` zeroed bytes in huge pages where the kernel allows them (`MADV_HUGEPAGE`): a
    /// 60 MB archive then costs some thirty page faults instead of fifteen thousand.
    private static func map(_ count: Int) -> UnsafeMutableRawBufferPointer? {
        let address = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let address, address != MAP_FAILED else { return nil }
        _ = madvise(address, count, MADV_HUGEPAGE)
        return UnsafeMutableRawBufferPointer(start: address, count: count)
    }

    /// The inflated contents of the gzip file at `path`, or nil when it is not the plain case.
    static func inflate(path: String, limit: Int = defaultLimit) -> WholeGzip? {
        guard limit > 0 else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        // A gzip member is at least 18 bytes; the file is read whole, so it is bounded too.
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size >= 18,
            info.st_size <= Int64(limit)
        else { return nil }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(info.st_size), alignment: 16)
        defer { input.deallocate() }
        guard readFully(descriptor, into: input), input[0] == 0x1F, input[1] == 0x8B else { return nil }
        // ISIZE, the member's last four bytes: its inflated size modulo 2^32, as the writer claims.
        let claimed = (0..<4).reduce(0) { $0 | Int(input[input.count - 4 + $1]) << (8 * $1) }
        guard claimed > 0, claimed <= limit else { return nil }
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        guard let output = map(claimed) else { return nil }
        var consumed = 0
        var produced = 0
        let result = libdeflate_gzip_decompress_ex(
            decompressor, input.baseAddress, input.count, output.baseAddress, output.count, &consumed, &produced)
        guard result == LIBDEFLATE_SUCCESS, consumed == input.count, produced == claimed else {
            munmap(output.baseAddress, output.count)
            return nil
        }
        return WholeGzip(bytes: output)
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
