import CArchive

/// zstd on several threads with output that depends neither on the thread count nor on
/// whether the libzstd at hand was built with multithreading (Debian's static libzstd.a,
/// which the release links, is not: there libarchive's `zstd:threads` silently compresses on
/// one thread, into other bytes than the shared library's workers give).
///
/// Each chunk of 4 MiB becomes one independent single-threaded zstd frame (level, content
/// size; no XXH64 checksum: a bundle's SHA-256 covers it), and the frames are written in
/// order. A `.zst` of several frames is one stream to zstd, GNU tar and libarchive.
typealias ZstdFrameEncoder = ChunkEncoder<ZstdCodec>

extension ChunkEncoder where Codec == ZstdCodec {
    convenience init(level: Int, threads: Int, name: String, sink: @escaping Sink) {
        self.init(codec: ZstdCodec(level: level), threads: threads, name: name, sink: sink)
    }

    static var chunkSize: Int { Codec.chunkSize }
}

struct ZstdCodec: ChunkCodec {
    /// A frame starts with no history, so larger ones compress a little better and hold more
    /// memory; 4 MiB frames are within 0.3% of one frame for the whole tree.
    static let chunkSize = 4 << 20
    static let dictionarySize = 0

    let level: Int

    func makeContext() -> UInt? {
        guard let context = ZSTD_createCCtx() else { return nil }
        let settings: [(ZSTD_cParameter, Int32)] = [
            (ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 0), (ZSTD_c_nbWorkers, 0),
        ]
        for (parameter, value) in settings where ZSTD_isError(ZSTD_CCtx_setParameter(context, parameter, value)) != 0 {
            ZSTD_freeCCtx(context)
            return nil
        }
        return UInt(bitPattern: context)
    }

    func freeContext(_ context: UInt) {
        ZSTD_freeCCtx(OpaquePointer(bitPattern: context))
    }

    /// One frame of `input`: single-threaded, so every libzstd build gives the same bytes.
    func compress(
        _ input: UnsafeRawBufferPointer, dictionary: [UInt8], last: Bool, context: UInt
    ) -> Result<ChunkOutput, ChunkFailure> {
        var failure: ChunkFailure?
        let bound = ZSTD_compressBound(input.count)
        let frame = [UInt8](unsafeUninitializedCapacity: bound) { output, written in
            let size = ZSTD_compress2(
                OpaquePointer(bitPattern: context), output.baseAddress, bound, input.baseAddress, input.count)
            if ZSTD_isError(size) != 0 {
                failure = ChunkFailure(message: String(cString: ZSTD_getErrorName(size)))
                written = 0
            } else {
                written = size
            }
        }
        return failure.map { .failure($0) } ?? .success(ChunkOutput(bytes: frame))
    }

    func header() -> [UInt8] { [] }
    func trailer(crc: UInt32, length: Int) -> [UInt8] { [] }
    func combine(_ first: UInt32, _ second: UInt32, length: Int) -> UInt32 { 0 }
}
