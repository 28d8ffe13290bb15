import CArchive
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A gzip file of gzip members that each inflate to a few MiB, as tarmac writes tar.gz
/// (`GzipBlockEncoder`: members of 2 MiB), read by libarchive one member at a time: libdeflate
/// inflates the next members on a thread of its own into a few buffers used again and again,
/// while the reader parses (and hashes) the one before. A 60 MB archive costs a few MiB of
/// memory that stays in the CPU's cache, not 60 MB of fresh pages (which a virtual machine's
/// host may have to back one by one).
///
/// Taken only when the first member inflates into `firstLimit` bytes (else nil: `WholeGzip`,
/// or libarchive's stream, as before). A later member that is damaged, cut short or lies in
/// its trailer is an error of the read that reaches it, as a stream finds it: nothing of it
/// is ever handed out (libdeflate checks a member's CRC-32 and size before it returns). Bytes
/// after the last member that do not start another are never read, as libarchive's gzip
/// reader leaves them.
final class GzipMembers {
    /// The first member must inflate into this many bytes for the file to be read this way.
    static let firstLimit = 4 << 20
    /// Buffers: the one libarchive reads, and the next ones being inflated.
    static let slots = 3

    /// What the inflating thread left in a slot.
    enum Filled {
        case member(Int)
        case end
        case failed(String)
    }

    /// What the reader and the inflating thread share. The thread holds it, never the
    /// `GzipMembers` whose deinit stops and joins it: a reader let go mid-archive ends the
    /// thread that waits for a free buffer, and no thread ever joins itself.
    final class Core: @unchecked Sendable {
        /// The compressed file, read whole (at most the caller's limit); only the inflating
        /// thread reads it once that has started.
        let input: UnsafeMutableRawBufferPointer
        var consumed = 0
        let decompressor: OpaquePointer
        let limit: Int
        /// Each slot's buffer (grown for a member that does not fit, all of them together up to
        /// `limit`) and what it holds. A slot belongs to the inflating thread from a `freeSlots`
        /// signal to its `filledSlots` signal, and to the reader from then to its next
        /// `freeSlots` signal: the semaphores order every access, and no two threads ever touch
        /// one slot at once. Only the inflating thread replaces a buffer (it alone reads the
        /// others' sizes, to keep within `limit`).
        let buffers: UnsafeMutablePointer<UnsafeMutableRawBufferPointer>
        let filled: UnsafeMutablePointer<Filled?>
        let freeSlots = DispatchSemaphore(value: 0)
        let filledSlots = DispatchSemaphore(value: 0)
        let stopping = Atomic<Bool>(false)

        init(input: UnsafeMutableRawBufferPointer, decompressor: OpaquePointer, first: Int, limit: Int) {
            self.input = input
            self.decompressor = decompressor
            self.limit = limit
            buffers = .allocate(capacity: GzipMembers.slots)
            filled = .allocate(capacity: GzipMembers.slots)
            for slot in 0..<GzipMembers.slots {
                (buffers + slot).initialize(
                    to: UnsafeMutableRawBufferPointer.allocate(byteCount: min(first, limit), alignment: 64))
                (filled + slot).initialize(to: nil)
            }
        }

        deinit {
            for slot in 0..<GzipMembers.slots { buffers[slot].deallocate() }
            buffers.deinitialize(count: GzipMembers.slots)
            buffers.deallocate()
            filled.deinitialize(count: GzipMembers.slots)
            filled.deallocate()
            input.deallocate()
            libdeflate_free_decompressor(decompressor)
        }

        /// The inflating thread: the next member into each slot the reader frees, until the
        /// end, a failure or `stopping`.
        func produce(from first: Int) {
            var slot = first
            while true {
                freeSlots.wait()
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                let result = inflate(into: slot, growing: true)
                filled[slot] = result
                filledSlots.signal()
                guard case .member = result else { return }
                slot = (slot + 1) % GzipMembers.slots
            }
        }

        /// Inflates the member at `consumed` into the slot's buffer (made larger, while all
        /// buffers together stay within `limit`, when it does not fit and `growing`). The end of the file, or bytes that do
        /// not start a member, are the end.
        func inflate(into slot: Int, growing: Bool) -> Filled {
            guard input.count - consumed >= 2, input[consumed] == 0x1F, input[consumed + 1] == 0x8B else {
                return .end
            }
            while true {
                var read = 0
                var written = 0
                let output = buffers[slot]
                let result = libdeflate_gzip_decompress_ex(
                    decompressor, input.baseAddress! + consumed, input.count - consumed, output.baseAddress!,
                    output.count, &read, &written)
                // All buffers together hold at most `limit`, as `WholeGzip`'s one mapping does.
                let room = limit - (0..<GzipMembers.slots).reduce(0) { $1 == slot ? $0 : $0 + buffers[$1].count }
                if result == LIBDEFLATE_INSUFFICIENT_SPACE, growing, output.count < room {
                    output.deallocate()
                    buffers[slot] = UnsafeMutableRawBufferPointer.allocate(
                        byteCount: min(output.count * 2, room), alignment: 64)
                    continue
                }
                guard result == LIBDEFLATE_SUCCESS, read > 0 else {
                    return .failed(
                        result == LIBDEFLATE_INSUFFICIENT_SPACE
                            ? "a gzip member (at byte \(consumed)) inflates to more than the \(limit) bytes "
                                + "the reader's buffers may hold"
                            : "the gzip member at byte \(consumed) is damaged or cut short")
                }
                consumed += read
                return .member(written)
            }
        }
    }

    let core: Core
    /// The inflating thread: its own, never one of Dispatch's workers, which Swift's tasks run
    /// on and a wait for a free slot would hold up.
    private let thread: pthread_t
    /// The slot the reader holds, and the next one it takes.
    private var held: Int?
    private var nextSlot = 0
    /// Why the last `next()` gave nil.
    private(set) var failure = ""

    private init(core: Core, thread: pthread_t) {
        self.core = core
        self.thread = thread
    }

    deinit {
        core.stopping.store(true, ordering: .sequentiallyConsistent)
        core.freeSlots.signal()  // wakes the thread if it waits for a slot; it then ends
        pthread_join(thread, nil)
    }

    /// The gzip file at `path` read member by member, or nil when it is not a file of at most
    /// `limit` bytes whose first member inflates into `firstLimit` bytes.
    static func open(path: String, limit: Int, firstLimit: Int = firstLimit) -> GzipMembers? {
        guard firstLimit > 0, let input = WholeGzip.readGzipFile(path, limit: limit) else { return nil }
        guard let decompressor = libdeflate_alloc_decompressor() else {
            input.deallocate()
            return nil
        }
        let core = Core(input: input, decompressor: decompressor, first: firstLimit, limit: limit)
        // The first member decides, inflated here; the thread starts on the second.
        guard case .member(let count) = core.inflate(into: 0, growing: false), count > 0 else { return nil }
        core.filled[0] = .member(count)
        core.filledSlots.signal()
        for _ in 1..<slots { core.freeSlots.signal() }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(core).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Core>.fromOpaque(context!).takeRetainedValue().produce(from: 1)
                return nil
            }, context)
        guard started == 0 else {
            Unmanaged<Core>.fromOpaque(context).release()
            return nil
        }
        return GzipMembers(core: core, thread: thread)
    }

    /// The next member's bytes, valid until the next call; empty after the last member; nil
    /// when a member cannot be inflated (`failure` says why).
    func next() -> UnsafeRawBufferPointer? {
        if let held {
            // After the end or a failure the slot stays: every later call gives the same.
            guard case .member = core.filled[held] else { return result(held) }
            core.filled[held] = nil
            core.freeSlots.signal()
        }
        core.filledSlots.wait()
        held = nextSlot
        nextSlot = (nextSlot + 1) % Self.slots
        return result(held!)
    }

    private func result(_ slot: Int) -> UnsafeRawBufferPointer? {
        switch core.filled[slot] {
        case .member(let count): return UnsafeRawBufferPointer(rebasing: core.buffers[slot][..<count])
        case .end: return UnsafeRawBufferPointer(start: core.buffers[slot].baseAddress, count: 0)
        case .failed(let why):
            failure = why
            return nil
        case nil:
            failure = "gzip member buffer \(slot) is empty"
            return nil
        }
    }

    /// Opens `handle` on the members: libarchive asks for each in turn.
    func open(_ handle: OpaquePointer) -> Int32 {
        archive_read_open(handle, Unmanaged.passUnretained(self).toOpaque(), nil, Self.read, nil)
    }

    private static let read:
        @convention(c) (
            OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?
        ) -> Int = { handle, client, buffer in
            guard let client else { return -1 }
            let members = Unmanaged<GzipMembers>.fromOpaque(client).takeUnretainedValue()
            guard let block = members.next() else {
                tarmac_archive_set_error(handle, EIO, members.failure)
                return -1
            }
            buffer?.pointee = block.baseAddress
            return block.count
        }
}
