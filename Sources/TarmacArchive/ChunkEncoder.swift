import CArchive
import Dispatch
import Synchronization

/// How one chunk of a stream is compressed on its own (`ChunkEncoder`'s workers): a context
/// that is reused from chunk to chunk, and the bytes around the chunks.
protocol ChunkCodec: Sendable {
    /// Input bytes per chunk, counted from the stream's start.
    static var chunkSize: Int { get }
    /// How many bytes before a chunk it may refer to (its dictionary); 0: none.
    static var dictionarySize: Int { get }
    /// A fresh context, as an address (pointers are not Sendable); nil when out of memory.
    func makeContext() -> UInt?
    func freeContext(_ context: UInt)
    /// The compressed chunk, and its CRC-32 when the format has one.
    func compress(
        _ input: UnsafeRawBufferPointer, dictionary: [UInt8], last: Bool, context: UInt
    ) -> Result<ChunkOutput, ChunkFailure>
    /// The bytes before the first chunk.
    func header() -> [UInt8]
    /// The bytes after the last chunk, given the CRC-32 and the length of the whole input.
    func trailer(crc: UInt32, length: Int) -> [UInt8]
    /// The CRC-32 of two pieces put together, the second `length` bytes long.
    func combine(_ first: UInt32, _ second: UInt32, length: Int) -> UInt32
}

/// A chunk encoder of either codec.
protocol ChunkWriting: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    func finish() throws
}

struct ChunkOutput {
    var bytes: [UInt8]
    var crc: UInt32 = 0
}

struct ChunkFailure: Error {
    var message: String
}

/// Compression on several threads with output that depends neither on the thread count nor on
/// how the stream is handed in: the stream is cut into chunks of `Codec.chunkSize` bytes counted
/// from its start, each chunk is compressed alone (after the last `dictionarySize` bytes of the
/// one before it, which only the input decides), and the pieces are written in order. Memory
/// stays at `threads + 2` chunks and their output.
final class ChunkEncoder<Codec: ChunkCodec>: ChunkWriting {
    typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private let name: String
    private let sink: Sink
    private let codec: Codec
    private let pool: ChunkPool<Codec>
    private let queue = DispatchQueue(label: "tarmac.chunks", attributes: .concurrent)
    /// Bounds the chunks compressed at once to the encoder threads.
    private let workers: DispatchSemaphore
    private let chunksInFlight: Int
    /// Chunks handed to the workers whose output is not yet written, oldest first.
    private var pending: [ChunkJob<Codec>] = []
    private var current: UnsafeMutableRawBufferPointer?
    private var filled = 0
    private var chunksStarted = 0
    /// The end of the last chunk handed on: the next one's dictionary.
    private var dictionary: [UInt8] = []
    private var crc: UInt32 = 0
    private var length = 0
    private var failed = false

    init(codec: Codec, threads: Int, name: String, sink: @escaping Sink) {
        precondition(threads >= 1)
        self.name = name
        self.sink = sink
        self.codec = codec
        pool = ChunkPool(codec)
        workers = DispatchSemaphore(value: threads)
        chunksInFlight = threads + 1
    }

    deinit {
        // Chunks still being compressed give their buffers back to the pool, which they keep alive.
        if let current { pool.giveBack(current) }
    }

    /// Takes the next bytes of the stream; writes every chunk that is ready.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try checkUsable()
        var offset = 0
        while offset < bytes.count {
            let buffer = current ?? pool.takeBuffer()
            current = buffer
            let count = min(bytes.count - offset, buffer.count - filled)
            (buffer.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            filled += count
            offset += count
            if filled == buffer.count { try submitCurrent(last: false) }
        }
    }

    /// Compresses what is left (the last chunk, empty when the stream is) and writes every
    /// chunk and the trailer; the output is complete after this.
    func finish() throws {
        try checkUsable()
        try submitCurrent(last: true)
        while !pending.isEmpty { try emitOldest() }
        try emit(codec.trailer(crc: crc, length: length))
    }

    private func checkUsable() throws {
        guard !failed else {
            throw ArchiveError(archive: name, operation: "compress the stream", message: "an earlier step failed")
        }
    }

    /// Hands the current chunk to a worker (after writing the oldest chunk when enough are in
    /// flight), then writes the chunks that are already done.
    private func submitCurrent(last: Bool) throws {
        if chunksStarted == 0 { try emit(codec.header()) }
        while pending.count >= chunksInFlight { try emitOldest() }
        let buffer = current ?? pool.takeBuffer()
        let job = ChunkJob<Codec>(buffer: buffer, count: filled, dictionary: dictionary, last: last)
        if Codec.dictionarySize > 0 {
            let tail = UnsafeRawBufferPointer(rebasing: buffer[max(0, filled - Codec.dictionarySize)..<filled])
            dictionary = Array(tail)  // every chunk but the last is full: chunkSize ≥ dictionarySize
        }
        current = nil
        filled = 0
        chunksStarted += 1
        pending.append(job)
        let (pool, workers) = (pool, workers)
        queue.async {
            workers.wait()
            job.run(pool)
            workers.signal()
        }
        while let oldest = pending.first, oldest.isDone { try emitOldest() }
    }

    private func emitOldest() throws {
        let job = pending.removeFirst()
        job.wait()
        do {
            let output = try job.output(archive: name)
            crc = codec.combine(crc, output.crc, length: job.count)
            length += job.count
            try emit(output.bytes)
        } catch {
            failed = true
            throw error
        }
    }

    private func emit(_ bytes: [UInt8]) throws {
        do {
            try bytes.withUnsafeBytes { try sink($0) }
        } catch {
            failed = true
            throw error
        }
    }
}

/// One chunk on its way to its output: filled by a worker, read by the encoder after `wait`.
private final class ChunkJob<Codec: ChunkCodec>: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer
    let count: Int
    private let dictionary: [UInt8]
    private let last: Bool
    private let done = DispatchSemaphore(value: 0)
    private var finished = false
    private var result: Result<ChunkOutput, ChunkFailure> = .success(ChunkOutput(bytes: []))

    init(buffer: UnsafeMutableRawBufferPointer, count: Int, dictionary: [UInt8], last: Bool) {
        self.buffer = buffer
        self.count = count
        self.dictionary = dictionary
        self.last = last
    }

    /// True once the output is ready; never blocks.
    var isDone: Bool {
        if !finished, done.wait(timeout: .now()) == .success { finished = true }
        return finished
    }

    func wait() {
        if !finished { done.wait() }
        finished = true
    }

    func run(_ pool: ChunkPool<Codec>) {
        result = pool.compress(UnsafeRawBufferPointer(rebasing: buffer[..<count]), dictionary: dictionary, last: last)
        pool.giveBack(buffer)
        done.signal()
    }

    func output(archive: String) throws -> ChunkOutput {
        do {
            return try result.get()
        } catch {
            throw ArchiveError(archive: archive, operation: "compress the stream", message: error.message)
        }
    }
}

/// Contexts and chunk buffers, reused so that each chunk does not pay for fresh pages; shared
/// by the encoder and its workers, freed when the last of them lets go.
private final class ChunkPool<Codec: ChunkCodec>: Sendable {
    private let codec: Codec
    /// Idle contexts and buffers, as addresses (pointers are not Sendable; a lock makes them so).
    private let contexts = Mutex<[UInt]>([])
    private let buffers = Mutex<[UInt]>([])

    init(_ codec: Codec) {
        self.codec = codec
    }

    deinit {
        for address in contexts.withLock({ $0 }) { codec.freeContext(address) }
        for address in buffers.withLock({ $0 }) { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    func takeBuffer() -> UnsafeMutableRawBufferPointer {
        if let address = buffers.withLock({ $0.popLast() }) {
            return UnsafeMutableRawBufferPointer(
                start: UnsafeMutableRawPointer(bitPattern: address), count: Codec.chunkSize)
        }
        return UnsafeMutableRawBufferPointer.allocate(byteCount: Codec.chunkSize, alignment: 64)
    }

    func giveBack(_ buffer: UnsafeMutableRawBufferPointer) {
        let address = UInt(bitPattern: buffer.baseAddress)
        buffers.withLock { $0.append(address) }
    }

    func compress(
        _ input: UnsafeRawBufferPointer, dictionary: [UInt8], last: Bool
    ) -> Result<ChunkOutput, ChunkFailure> {
        guard let context = contexts.withLock({ $0.popLast() }) ?? codec.makeContext() else {
            return .failure(ChunkFailure(message: "cannot create a compression context"))
        }
        defer { contexts.withLock { $0.append(context) } }
        return codec.compress(input, dictionary: dictionary, last: last, context: context)
    }
}
