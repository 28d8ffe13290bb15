import Foundation
import Synchronization
import TarmacArchive

/// Reads the plain tar a builder writes, member by member, exactly as `BundleInspector` reads a
/// bundle (`MemberScan`), on a thread of its own while the writer goes on. A deployment that
/// has just built its bundle then stages it from this report instead of decompressing and
/// hashing the whole bundle a second time before any host starts.
///
/// The report describes the bytes that were compressed into the bundle; its SHA-256 is the
/// one the writer computed of the file, which each host checks again on what it receives.
/// The scan never fails the build: a scan that stops (a limit, a damaged stream) gives no
/// report, and the stager then inspects the bundle file as it would any other.
final class WrittenBundleScan: Sendable {
    private let writeEnd: Int32
    private let shared = Shared()

    /// What the scanning thread and the writer share; the thread holds this, never the scan,
    /// so dropping the scan closes the stream and lets the thread end.
    private final class Shared: Sendable {
        let state = Mutex(State())
        let done = DispatchSemaphore(value: 0)
    }

    private struct State {
        /// The scan's report, its SHA-256 and format still to be filled in (the writer knows them).
        var result: Result<BundleReport, any Error>?
        /// A write to the scan failed: the rest of the stream is not fed (no report).
        var broken = false
        var closed = false
    }

    /// Starts the scan of the tar stream `feed` will be given, judged within `limits`;
    /// `bundle` is the path its findings name.
    init(bundle: String, limits: UnpackLimits) throws {
        let readEnd: Int32
        (readEnd, writeEnd) = try BundleBuilder.makePipe()
        let shared = shared
        Thread.detachNewThread {
            let result = Result { () throws -> BundleReport in
                let reader = try ArchiveReader(fileDescriptor: readEnd)
                let scan = try BundleInspector.members(reader, bundle: bundle, limits: limits, tee: nil)
                return scan.report(path: bundle, sha256: "", format: "")
            }
            // Whatever the scan made of it, the writer is never left blocked on a full pipe.
            RevisionArchiver.drain(readEnd)
            close(readEnd)
            shared.state.withLock { $0.result = result }
            shared.done.signal()
        }
    }

    deinit {
        endStream()
    }

    /// The next bytes of the plain tar. Never throws: a failure only ends the scan.
    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !shared.state.withLock({ $0.broken || $0.closed }), var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = write(writeEnd, next, left)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                shared.state.withLock { $0.broken = true }
                return
            }
            next += written
            left -= written
        }
    }

    /// Ends the stream and waits for the scan: the report of the bundle (the `bundle` of
    /// `init`) with its `sha256` and `format`, or nil when the scan stopped or missed bytes.
    func finish(sha256: String, format: ArchiveFormat) -> BundleReport? {
        endStream()
        shared.done.wait()
        shared.done.signal()  // a second finish returns at once
        return shared.state.withLock { state -> BundleReport? in
            guard !state.broken, case .success(var report)? = state.result else { return nil }
            (report.sha256, report.format) = (sha256, format.rawValue)
            return report
        }
    }

    private func endStream() {
        let open = shared.state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        if open { close(writeEnd) }
    }
}
