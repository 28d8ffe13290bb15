import Crypto
import Foundation
import TarmacArchive
import TarmacCore
import TarmacGit
import TarmacSigning

/// What `tarmac bundle` is asked to do.
public struct BundleOptions: Sendable {
    public var revision: String = "HEAD"
    /// Bundle the working tree as it stands instead of a commit.
    public var worktree = false
    public var format: ArchiveFormat?
    public var output: String?
    public var signingKeyPath: String?
    /// With a signing key: how long hosts may install the bundle. The signature is then a
    /// signed statement beside the bundle (`BundleStatement`), never a change to its bytes.
    public var validity: TimeInterval?
    /// The clock the statement's `signed-at` and `expires` are read from.
    public var now: Date = Date()
    /// Bundle what a build made of a commit instead of the commit itself.
    public var built: BuiltRevision?

    public init() {}
}

/// A bundle on disk and what the user should be told about it.
public struct BundleOutcome: Sendable {
    public var path: String
    public var sha256: String
    public var manifest: BundleManifest
    public var warnings: [Diagnostic]
    /// Working-tree changes below the bundle root that the bundle does not contain.
    public var notInBundle: [GitStatusEntry]
    public var submodules: [String]
    public var signaturePath: String?
}

/// Builds the bundle of one revision: validate first, then stream git's tree through the
/// deterministic writer into a temporary file that is renamed into place only on success.
public struct BundleBuilder: Sendable {
    public let repository: GitRepository
    public let application: String
    /// Directory of the revision that becomes the bundle root ("" for the whole tree).
    public let root: String
    public let format: ArchiveFormat

    /// A builder for `application` with the `bundle` section of its tarmac.yml.
    public init(repository: GitRepository, application: String, bundle: BundleSettings) {
        self.repository = repository
        self.application = application
        self.root = RevisionTree.normalize(bundle.root)
        self.format = ArchiveFormat(bundle.format)
    }

    public func build(_ options: BundleOptions) async throws -> BundleOutcome {
        let format = options.format ?? self.format
        let signingKey = try options.signingKeyPath.map(loadSigningKey)
        let snapshot = try await readRevision(options)
        let diagnostics = RevisionValidator.validate(snapshot)
        if diagnostics.hasErrors { throw BundleError.invalidRevision(diagnostics) }

        let output = try options.output ?? defaultOutput(snapshot.revisionID, format)
        async let status = worktreeChanges(options, snapshot: snapshot)
        let commit = options.built?.sourceCommit ?? snapshot.commit
        let (manifest, sha256) = try await write(snapshot, naming: commit, format: format, to: output)
        var outcome = BundleOutcome(
            path: output, sha256: sha256, manifest: manifest, warnings: diagnostics,
            notInBundle: [], submodules: snapshot.submodules, signaturePath: nil)
        outcome.notInBundle = try await status
        if let signingKey, let validity = options.validity {
            outcome.signaturePath = try await signStatement(
                output, manifest: manifest, sha256: sha256, with: signingKey, from: options.now, for: validity)
        } else if let signingKey {
            outcome.signaturePath = try await sign(output, with: signingKey)
        }
        return outcome
    }

    /// What the working tree has that a bundle of HEAD does not (nothing to say for other
    /// revisions, nor for a build output, which never came from the working tree).
    private func worktreeChanges(_ options: BundleOptions, snapshot: RevisionSnapshot) async throws -> [GitStatusEntry]
    {
        guard !options.worktree, options.built == nil else { return [] }
        // An unborn or detached-and-broken HEAD is "not HEAD": there is no working tree to compare with.
        guard snapshot.commit == (try? await repository.resolveCommit("HEAD")) else { return [] }
        return try await repository.status(under: root).filter { !$0.path.hasPrefix(".tarmac/") }
    }

    private func readRevision(_ options: BundleOptions) async throws -> RevisionSnapshot {
        let commit: String
        let revisionID: String
        if let built = options.built {
            guard !options.worktree else {
                throw BundleError.invalidInput("a build output cannot be bundled from the working tree")
            }
            commit = built.treeCommit
            revisionID = built.revisionID
        } else if options.worktree {
            let snap = try await repository.snapshotWorktree()
            commit = snap.commit
            revisionID = "\(snap.base)-dirty-\(snap.tree.prefix(12))"
        } else {
            do {
                commit = try await repository.resolveCommit(options.revision)
            } catch {
                throw BundleError.invalidInput("\(options.revision) does not name a commit in \(repository.root)")
            }
            revisionID = commit
        }
        return try await RevisionSnapshot.read(
            repository, commit: commit, revisionID: revisionID, root: root,
            scriptsToRead: RevisionValidator.scriptLocations)
    }

    /// Writes the bundle to `output` (atomically, by rename), its manifest naming `commit`;
    /// returns the manifest and the bundle's SHA-256.
    private func write(
        _ snapshot: RevisionSnapshot, naming commit: String, format: ArchiveFormat, to output: String
    ) async throws -> (BundleManifest, String) {
        let directory = (output as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        let temporary = (directory.isEmpty ? "." : directory) + "/.tarmac-partial-\(UUID().uuidString)"
        let (gitRead, gitWrite) = try Self.makePipe()
        let archiver = RevisionArchiver(
            root: snapshot.root, mtime: snapshot.commitTime,
            hookLocations: RevisionValidator.scriptLocations(snapshot.appspecText ?? ""),
            fileSources: RevisionValidator.fileSources(snapshot.appspecText ?? ""))
        let makeManifest: @Sendable ([BundleManifest.File]) -> BundleManifest = { [application] files in
            BundleManifest(
                application: application, commit: commit, commitTime: snapshot.commitTime,
                revision: snapshot.revisionID, format: format.rawValue,
                appspec: snapshot.appspecName ?? "appspec.yml", files: files)
        }
        let git = Task { try await repository.archive(snapshot.commit, under: snapshot.root, to: gitWrite) }
        let written = await Result {
            try await Self.pipeline(
                format: format, archiver: archiver, input: gitRead, output: temporary, manifest: makeManifest)
        }
        let gitResult = await git.result
        do {
            let (manifest, streamed) = try written.get()
            try gitResult.get()
            var sha256 = streamed
            if sha256 == nil { sha256 = try await runBlocking { try FileDigest.sha256Hex(ofFileAt: temporary) } }
            guard rename(temporary, output) == 0 else {
                throw BundleError.failed("cannot move the bundle to \(output): \(String(cString: strerror(errno)))")
            }
            return (manifest, sha256 ?? "")
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// gzip and xz run on two threads: one re-writes git's entries into an uncompressed tar
    /// (hashing every file), the other compresses that stream to `output`. zstd needs no
    /// second thread: the writer hands its frames to `ArchiveFormat.encoderThreads` workers.
    private static func pipeline(
        format: ArchiveFormat, archiver: RevisionArchiver, input: Int32, output: String,
        manifest: @escaping @Sendable ([BundleManifest.File]) -> BundleManifest
    ) async throws -> (BundleManifest, sha256: String?) {
        guard format != .zip && format != .tar else {
            let written = try await runBlocking {
                defer { close(input) }
                let writer = try ArchiveWriter(path: output, format: format)
                return try archiver.run(input: input, writer: writer, manifest: manifest)
            }
            return (written, nil)
        }
        if format == .tarZst {
            return try await runBlocking {
                defer { close(input) }
                let file = try HashingFileSink(path: output)
                let writer = try ArchiveWriter(format: format, name: output) { try file.write($0) }
                let written = try archiver.run(input: input, writer: writer, manifest: manifest)
                return (written, try file.finish())
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
                return try archiver.run(input: input, writer: writer, manifest: manifest)
            }
        }
        let sha256 = try await compressed
        return (try built.get(), sha256)
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw BundleError.failed("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    /// `.tarmac/artifacts/<application>/<revision>.<ext>`; `.tarmac/` ignores itself so
    /// tarmac's state never shows up as untracked files.
    private func defaultOutput(_ revisionID: String, _ format: ArchiveFormat) throws -> String {
        let state = repository.root + "/.tarmac"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: state + "/.gitignore") {
            try Data("# tarmac's state: bundles, history, logs. Never committed.\n*\n".utf8)
                .write(to: URL(fileURLWithPath: state + "/.gitignore"))
        }
        return "\(state)/artifacts/\(application)/\(revisionID).\(format.fileExtension)"
    }

    private func loadSigningKey(_ path: String) throws -> SSHSigningKey {
        do {
            return try SSHSigningKey(contentsOfFile: path)
        } catch {
            throw BundleError.invalidInput("\(error)")
        }
    }

    private func sign(_ path: String, with key: SSHSigningKey) async throws -> String {
        let digest = try await runBlocking { try SSHSignature.digest(ofFileAt: path, using: .sha512) }
        let armored = try SSHSignature.sign(
            digest: digest, hash: .sha512, namespace: BundleSignature.namespace, key: key)
        let sigPath = path + ".sig"
        try Data(armored.utf8).write(to: URL(fileURLWithPath: sigPath), options: .atomic)
        return sigPath
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

extension ArchiveFormat {
    /// The archive format a tarmac.yml `bundle.format` names.
    init(_ format: BundleFormat) {
        switch format {
        case .tarGz: self = .tarGz
        case .tarZst: self = .tarZst
        case .tarXz: self = .tarXz
        case .tar: self = .tar
        case .zip: self = .zip
        }
    }
}
