import Foundation
import Synchronization
import TarmacArchive
import TarmacCore

extension BundleBuilder {
    /// Writes the bundle of `revision` to `output` (atomically, by rename); returns the manifest,
    /// the bundle's SHA-256 and, with `scanLimits`, its report read from the members as they
    /// were written (`WrittenBundleScan`). git archive starts at once; the members are written
    /// as soon as the commit time is known, and the manifest once `ending` is fulfilled (nil: abandon).
    func write(
        _ revision: (commit: String, id: String), format: ArchiveFormat, commitTime: Task<Int64, any Error>,
        ending: Handoff<ArchiveEnding>, to output: String, scanLimits: UnpackLimits? = nil
    ) async throws -> (BundleManifest, String, BundleReport?) {
        let directory = (output as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        let temporary = (directory.isEmpty ? "." : directory) + "/.tarmac-partial-\(UUID().uuidString)"
        let (gitRead, gitWrite) = try Self.makePipe()
        let git = Task { [repository, root] in try await repository.archive(revision.commit, under: root, to: gitWrite)
        }
        let written = await Result {
            let mtime: Int64
            do {
                mtime = try await commitTime.value
            } catch {
                close(gitRead)
                throw error
            }
            let archiver = RevisionArchiver(root: root, mtime: mtime)
            // Only a chunked format's writer shows its plain tar: the others are never scanned here.
            let scan = try scanLimits.flatMap {
                format.isChunked ? try WrittenBundleScan(bundle: output, limits: $0) : nil
            }
            return try await Self.pipeline(
                format: format, archiver: archiver, input: gitRead, output: temporary, ending: ending, scan: scan)
        }
        let gitResult = await git.result
        do {
            let (manifest, streamed, scanned) = try written.get()
            try gitResult.get()
            var sha256 = streamed
            if sha256 == nil { sha256 = try await runBlocking { try FileDigest.sha256Hex(ofFileAt: temporary) } }
            guard rename(temporary, output) == 0 else {
                throw BundleError.failed("cannot move the bundle to \(output): \(String(cString: strerror(errno)))")
            }
            return (manifest, sha256 ?? "", scanned)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// xz runs on two threads: one re-writes git's entries into an uncompressed tar (hashing
    /// every file), the other compresses that stream to `output`. gzip and zstd need no second
    /// thread: the writer hands its chunks to `ArchiveFormat.encoderThreads` workers.
    private static func pipeline(
        format: ArchiveFormat, archiver: RevisionArchiver, input: Int32, output: String,
        ending handoff: Handoff<ArchiveEnding>, scan: WrittenBundleScan?
    ) async throws -> (BundleManifest, sha256: String?, scanned: BundleReport?) {
        guard format != .zip && format != .tar else {
            let written = try await runBlocking {
                defer { close(input) }
                let writer = try ArchiveWriter(path: output, format: format)
                return try archiver.run(input: input, writer: writer, ending: handoff.wait)
            }
            return (written, nil, nil)
        }
        if format.isChunked {
            return try await runBlocking {
                defer { close(input) }
                let file = try HashingFileSink(path: output)
                let writer = try ArchiveWriter(format: format, name: output, plain: scan.map { $0.feed }) {
                    try file.write($0)
                }
                let written = try archiver.run(input: input, writer: writer, ending: handoff.wait)
                let sha256 = try file.finish()
                // The scan names the bundle by its final path (`output` here is the partial file).
                return (written, sha256, scan?.finish(sha256: sha256, format: format))
            }
        }
        let (tarRead, tarWrite) = try makePipe()
        async let compressed: String = runBlocking {
            defer { close(tarRead) }
            let file = try HashingFileSink(path: output)
            let stream = try CompressingStream(format: format, name: output) { try file.write($0) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = read(tarRead, buffer.baseAddress, buffer.count)
                if count == 0 { break }
                guard count > 0 else {
                    throw BundleError.failed("cannot read the tar stream: \(String(cString: strerror(errno)))")
                }
                do {
                    try stream.write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                } catch {
                    throw stream.sinkError ?? error
                }
            }
            try stream.finish()
            return try file.finish()
        }
        let built = await Result {
            try await runBlocking {
                defer { close(input); close(tarWrite) }
                let writer = try ArchiveWriter(fileDescriptor: tarWrite, format: .tar)
                return try archiver.run(input: input, writer: writer, ending: handoff.wait)
            }
        }
        let sha256 = try await compressed
        return (try built.get(), sha256, nil)
    }

    /// A pipe of 1 MiB where Linux allows it (best effort): git's tar passes in fewer, larger
    /// reads, with fewer switches between git and the reader than through 64 KiB.
    static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw BundleError.failed("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        #if os(Linux)
            _ = fcntl(fds[1], 1031 /* F_SETPIPE_SZ */, Int32(1 << 20))
        #endif
        return (fds[0], fds[1])
    }
}

/// What the archiver needs only after the last member: the AppSpec's hook locations and
/// `files` sources (for the whole-tree checks) and the manifest's fields, all from the snapshot.
struct ArchiveEnding: Sendable {
    var hookLocations: [String]
    var fileSources: [String]
    var manifest: @Sendable ([BundleManifest.File]) -> BundleManifest

    /// The ending for `snapshot`; a build output's manifest names the commit it was built from.
    init(_ snapshot: RevisionSnapshot, application: String, format: ArchiveFormat, naming built: BuiltRevision?) {
        hookLocations = RevisionValidator.scriptLocations(snapshot.appspecText ?? "")
        fileSources = RevisionValidator.fileSources(snapshot.appspecText ?? "")
        let commit = built?.sourceCommit ?? snapshot.commit
        manifest = { files in
            BundleManifest(
                application: application, commit: commit, commitTime: snapshot.commitTime,
                revision: snapshot.revisionID, format: format.rawValue,
                appspec: snapshot.appspecName ?? "appspec.yml", files: files)
        }
    }
}

/// A value an async task hands to a blocking thread: `wait` blocks until `fulfil` (once).
final class Handoff<Value: Sendable>: Sendable {
    private let value = Mutex<Value??>(nil)
    private let ready = DispatchSemaphore(value: 0)

    /// Hands `value` over; nil tells the waiter to give up.
    func fulfil(_ value: Value?) {
        self.value.withLock { $0 = .some(value) }
        ready.signal()
    }

    /// The value; throws when the other side gave up.
    func wait() throws -> Value {
        ready.wait()
        ready.signal()  // a second wait returns at once
        guard let value = value.withLock({ $0 ?? nil }) else {
            throw BundleError.failed("the bundle was abandoned before its manifest")
        }
        return value
    }
}
