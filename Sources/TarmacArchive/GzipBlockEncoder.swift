import CArchive

/// gzip on several threads, the way pigz does it, with output that does not depend on the
/// thread count: each chunk of 256 KiB is deflated alone after the last 32 KiB of the one
/// before it (its dictionary, so matches reach back as far as in one deflate), and ends with a
/// sync flush; the last chunk ends the stream. The pieces make one standard deflate stream in
/// one gzip member (no name, no timestamp), whose CRC-32 is the chunks' put together.
typealias GzipBlockEncoder = ChunkEncoder<GzipCodec>

extension ChunkEncoder where Codec == GzipCodec {
    convenience init(level: Int, threads: Int, name: String, sink: @escaping Sink) {
        self.init(codec: GzipCodec(level: level), threads: threads, name: name, sink: sink)
    }
}

struct GzipCodec: ChunkCodec {
    static let chunkSize = 256 << 10
    static let dictionarySize = 32 << 10

    let level: Int

    func makeContext() -> UInt? {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate; the encoder writes the gzip header and trailer itself.
        let ready = deflateInit2_(
            stream, Int32(level), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard ready == Z_OK else {
            stream.deallocate()
            return nil
        }
        return UInt(bitPattern: stream)
    }

    func freeContext(_ context: UInt) {
        guard let stream = UnsafeMutablePointer<z_stream>(bitPattern: context) else { return }
        deflateEnd(stream)
        stream.deallocate()
    }

    func compress(
        _ input: UnsafeRawBufferPointer, dictionary: [UInt8], last: Bool, context: UInt
    ) -> Result<ChunkOutput, ChunkFailure> {
        guard let stream = UnsafeMutablePointer<z_stream>(bitPattern: context), deflateReset(stream) == Z_OK else {
            return .failure(ChunkFailure(message: "cannot reset the deflate stream"))
        }
        if !dictionary.isEmpty {
            let set = dictionary.withUnsafeBufferPointer {
                deflateSetDictionary(stream, $0.baseAddress, UInt32($0.count))
            }
            guard set == Z_OK else { return .failure(ChunkFailure(message: "deflate refused a dictionary (\(set))")) }
        }
        // Room for the whole chunk in one call: the bound, and a sync flush's empty block.
        let capacity = Int(deflateBound(stream, UInt(input.count))) + 16
        var status: Int32 = Z_OK
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { output, written in
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(input.count)
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = UInt32(capacity)
            status = deflate(stream, last ? Z_FINISH : Z_SYNC_FLUSH)
            written = capacity - Int(stream.pointee.avail_out)
        }
        // A sync flush that filled the buffer may not be complete: the room above makes that
        // impossible, and this says so rather than cut a chunk short.
        guard status == (last ? Z_STREAM_END : Z_OK), stream.pointee.avail_in == 0,
            last || stream.pointee.avail_out > 0
        else {
            return .failure(ChunkFailure(message: "deflate did not take the whole chunk (\(status))"))
        }
        let crc =
            input.isEmpty
            ? 0 : UInt32(crc32(0, input.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(input.count)))
        return .success(ChunkOutput(bytes: bytes, crc: crc))
    }

    /// RFC 1952: deflate, no flags, no timestamp, the extra flags gzip sets for levels 1 and 9,
    /// Unix.
    func header() -> [UInt8] {
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level == 9 ? 2 : level == 1 ? 4 : 0, 3]
    }

    func trailer(crc: UInt32, length: Int) -> [UInt8] {
        let size = UInt32(truncatingIfNeeded: length)
        return [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) }
            + [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: size >> $0) }
    }

    func combine(_ first: UInt32, _ second: UInt32, length: Int) -> UInt32 {
        UInt32(crc32_combine(UInt(first), UInt(second), off_t(length)))
    }
}
