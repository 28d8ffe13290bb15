import Crypto
import Dispatch
import Synchronization
import TarmacArchive

/// SHA-256 digests computed on one background thread while the scan goes on: for an archive
/// inflated whole (`ArchiveReader.isHeld`), a file's data stays in memory after it is read,
/// so hashing it need not hold up the next member. Digests are keyed by the file's index in
/// `MemberScan.files`.
///
/// `wait()` must return before the reader whose memory the spans point into is released.
final class BackgroundDigests: Sendable {
    /// Spans of a reader's held memory, read on the background thread while the reader lives.
    private struct Spans: @unchecked Sendable {
        var blocks: [UnsafeRawBufferPointer]
    }

    private let queue = DispatchQueue(label: "tarmac.member-digests")
    private let results = Mutex<[Int: String]>([:])

    /// Hashes `blocks` (in order) as the data of file `index`.
    func submit(_ index: Int, blocks: [UnsafeRawBufferPointer]) {
        let spans = Spans(blocks: blocks)
        queue.async { [self] in
            var hasher = SHA256()
            for block in spans.blocks { hasher.update(bufferPointer: block) }
            let hex = hasher.finalize().hex
            self.results.withLock { $0[index] = hex }
        }
    }

    /// Waits for every digest submitted so far; returns them all.
    @discardableResult
    func wait() -> [Int: String] {
        queue.sync {}
        return results.withLock { $0 }
    }
}
