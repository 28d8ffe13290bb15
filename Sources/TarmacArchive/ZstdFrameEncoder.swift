import CArchive
import Dispatch
import Synchronization

/// zstd on several threads with output that depends neither on the thread count nor on
/// whether the libzstd at hand was built with multithreading (Debian's static libzstd.a,
/// which the release links, is not: there libarchive's `zstd:threads` silently compresses on
/// one thread, into other bytes than the shared library's workers give).
///
/// The stream is cut into chunks of `chunkSize` bytes counted from its start, each chunk
/// becomes one independent single-threaded zstd frame (level, content size; no XXH64 checksum:
/// a bundle's SHA-256 covers it),
/// and the frames are written in order. A `.zst` of several frames is one stream to zstd,
/// GNU tar and libarchive, and the cut points depend on nothing but byte offsets, so one
/// worker or eight give the same bytes. Memory stays at `threads + 2` chunks and their frames.
final class ZstdFrameEncoder {
    typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    /// Input bytes per frame. A frame starts with no history, so larger ones compress a little
    /// better and hold more memory; 4 MiB frames are within 0.3% of one frame for the whole tree.
    static let chunkSize = 4 << 20

    private let name: String
    private let sink: Sink
    private let pool: ZstdPool
    private let queue = DispatchQueue(label: "tarmac.zstd", attributes: .concurrent)
    /// Bounds the frames compressed at once to the encoder threads.
    private let workers: DispatchSemaphore
    private let chunksInFlight: Int
    /// Chunks handed to the workers whose frames are not yet written, oldest first.
    private var pending: [ZstdJob] = []
    private var current: UnsafeMutableRawBufferPointer?
    private var filled = 0
    private var framesStarted = 0
    private var failed = false

    init(level: Int, threads: Int, name: String, sink: @escaping Sink) {
        precondition(threads >= 1)
        self.name = name
        self.sink = sink
        pool = ZstdPool(level: level, chunkSize: Self.chunkSize)
        workers = DispatchSemaphore(value: threads)
        chunksInFlight = threads + 1
    }

    deinit {
        // Frames still being compressed give their buffers back to the pool, which they keep alive.
        if let current { pool.giveBack(current) }
    }

    /// Takes the next bytes of the stream; writes every frame that is ready.
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
            if filled == buffer.count { try submitCurrent() }
        }
    }

    /// Compresses what is left and writes every frame; the output is complete after this.
    func finish() throws {
        try checkUsable()
        // An empty stream still becomes one (empty) frame: a valid .zst.
        if filled > 0 || framesStarted == 0 { try submitCurrent() }
        while !pending.isEmpty { try emitOldest() }
    }

    private func checkUsable() throws {
        guard !failed else {
            throw ArchiveError(archive: name, operation: "compress the stream", message: "an earlier step failed")
        }
    }

    /// Hands the current chunk to a worker (after writing the oldest frame when enough chunks
    /// are in flight), then writes the frames that are already done.
    private func submitCurrent() throws {
        while pending.count >= chunksInFlight { try emitOldest() }
        let job = ZstdJob(buffer: current ?? pool.takeBuffer(), count: filled)
        current = nil
        filled = 0
        framesStarted += 1
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
            let frame = try job.frame(archive: name)
            try frame.withUnsafeBytes { try sink($0) }
        } catch {
            failed = true
            throw error
        }
    }
}

/// One chunk on its way to a frame: filled by a worker, read by the encoder after `wait`.
private final class ZstdJob: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer
    private let count: Int
    private let done = DispatchSemaphore(value: 0)
    private var finished = false
    private var result: Result<[UInt8], ZstdPool.Failure> = .success([])

    init(buffer: UnsafeMutableRawBufferPointer, count: Int) {
        self.buffer = buffer
        self.count = count
    }

    /// True once the frame is ready; never blocks.
    var isDone: Bool {
        if !finished, done.wait(timeout: .now()) == .success { finished = true }
        return finished
    }

    func wait() {
        if !finished { done.wait() }
        finished = true
    }

    func run(_ pool: ZstdPool) {
        result = pool.compress(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        pool.giveBack(buffer)
        done.signal()
    }

    func frame(archive: String) throws -> [UInt8] {
        do {
            return try result.get()
        } catch {
            throw ArchiveError(archive: archive, operation: "compress the stream", message: error.message)
        }
    }
}

/// Compression contexts and chunk buffers, reused so that each chunk does not pay for fresh
/// pages; shared by the encoder and its workers, freed when the last of them lets go.
private final class ZstdPool: Sendable {
    struct Failure: Error {
        var message: String
    }

    private let level: Int
    private let chunkSize: Int
    /// Idle contexts and buffers, as addresses (pointers are not Sendable; a lock makes them so).
    private let contexts = Mutex<[UInt]>([])
    private let buffers = Mutex<[UInt]>([])

    init(level: Int, chunkSize: Int) {
        self.level = level
        self.chunkSize = chunkSize
    }

    deinit {
        for address in contexts.withLock({ $0 }) { ZSTD_freeCCtx(OpaquePointer(bitPattern: address)) }
        for address in buffers.withLock({ $0 }) { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    func takeBuffer() -> UnsafeMutableRawBufferPointer {
        if let address = buffers.withLock({ $0.popLast() }) {
            return UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: address), count: chunkSize)
        }
        return UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
    }

    func giveBack(_ buffer: UnsafeMutableRawBufferPointer) {
        let address = UInt(bitPattern: buffer.baseAddress)
        buffers.withLock { $0.append(address) }
    }

    /// One frame of `input`: single-threaded, so every libzstd build gives the same bytes.
    func compress(_ input: UnsafeRawBufferPointer) -> Result<[UInt8], Failure> {
        let idle = contexts.withLock { $0.popLast() }.flatMap { OpaquePointer(bitPattern: $0) }
        guard let context = idle ?? makeContext() else {
            return .failure(Failure(message: "cannot create a zstd context"))
        }
        defer {
            let address = UInt(bitPattern: context)
            contexts.withLock { $0.append(address) }
        }
        var failure: Failure?
        let bound = ZSTD_compressBound(input.count)
        let frame = [UInt8](unsafeUninitializedCapacity: bound) { output, written in
            let size = ZSTD_compress2(context, output.baseAddress, bound, input.baseAddress, input.count)
            if ZSTD_isError(size) != 0 {
                failure = Failure(message: String(cString: ZSTD_getErrorName(size)))
                written = 0
            } else {
                written = size
            }
        }
        return failure.map { .failure($0) } ?? .success(frame)
    }

    private func makeContext() -> OpaquePointer? {
        guard let context = ZSTD_createCCtx() else { return nil }
        let settings: [(ZSTD_cParameter, Int32)] = [
            (ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 0), (ZSTD_c_nbWorkers, 0),
        ]
        for (parameter, value) in settings where ZSTD_isError(ZSTD_CCtx_setParameter(context, parameter, value)) != 0 {
            ZSTD_freeCCtx(context)
            return nil
        }
        return context
    }
}
