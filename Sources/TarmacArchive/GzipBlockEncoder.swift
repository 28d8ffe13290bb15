import CArchive

/// gzip on several threads with output that depends neither on the thread count nor on how
/// the stream is handed in: each chunk of 2 MiB is compressed alone by libdeflate, about twice
/// as fast as zlib at the same level, into one complete gzip member (no name, no timestamp,
/// its own CRC-32 and size), and the members are written in order. A file of several members
/// is one stream to gzip, GNU tar, busybox and libarchive (RFC 1952 §2.2), and `WholeGzip`
/// inflates it in one pass.
typealias GzipBlockEncoder = ChunkEncoder<GzipCodec>

extension ChunkEncoder where Codec == GzipCodec {
    convenience init(level: Int, threads: Int, name: String, sink: @escaping Sink) {
        self.init(codec: GzipCodec(level: level), threads: threads, name: name, sink: sink)
    }
}

struct GzipCodec: ChunkCodec {
    /// A member starts with no history, so larger ones compress a little better and hold more
    /// memory; members of 2 MiB are within 0.3% of one zlib deflate of the whole tree.
    static let chunkSize = 2 << 20
    static let dictionarySize = 0

    let level: Int

    func makeContext() -> UInt? {
        guard let compressor = libdeflate_alloc_compressor(Int32(level)) else { return nil }
        return UInt(bitPattern: Int(bitPattern: compressor))
    }

    func freeContext(_ context: UInt) {
        guard let compressor = OpaquePointer(bitPattern: context) else { return }
        libdeflate_free_compressor(compressor)
    }

    func compress(
        _ input: UnsafeRawBufferPointer, dictionary: [UInt8], last: Bool, context: UInt
    ) -> Result<ChunkOutput, ChunkFailure> {
        guard let compressor = OpaquePointer(bitPattern: context) else {
            return .failure(ChunkFailure(message: "no gzip compressor"))
        }
        let capacity = libdeflate_gzip_compress_bound(compressor, input.count)
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { output, written in
            written = libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output.baseAddress, capacity)
        }
        // The bound always suffices; 0 would mean it did not, and is not a member.
        guard !bytes.isEmpty else {
            return .failure(ChunkFailure(message: "libdeflate did not compress the chunk within its bound"))
        }
        return .success(ChunkOutput(bytes: bytes))
    }

    /// Every member carries its own header and trailer.
    func header() -> [UInt8] { [] }

    func trailer(crc: UInt32, length: Int) -> [UInt8] { [] }

    func combine(_ first: UInt32, _ second: UInt32, length: Int) -> UInt32 { 0 }
}
