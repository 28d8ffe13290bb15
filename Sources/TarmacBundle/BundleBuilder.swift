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
    /// Also read the members back as `tarmac inspect` does, while they are written, within
    /// these limits: the outcome's `scanned` report (tar.gz and tar.zst; nil otherwise).
    public var scanLimits: UnpackLimits?

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
    /// With `BundleOptions.scanLimits`: the bundle's inspection (`BundleInspector`) made from
    /// the members as they were written, its signature not yet checked; nil when the scan
    /// stopped (a limit) or was not asked for.
    public var scanned: BundleReport?
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
        let revision = try await resolveRevision(options)
        let output = try options.output ?? defaultOutput(revision.id, format)
        // git archive streams into the bundle while the snapshot is read and validated: the
        // archive needs the snapshot only once every member is copied (`ArchiveEnding`).
        let commitTime = Task { [repository] in try await repository.commitTime(revision.commit) }
        let ending = Handoff<ArchiveEnding>()
        async let written = write(
            revision, format: format, commitTime: commitTime, ending: ending, to: output, scanLimits: options.scanLimits
        )
        let snapshot: RevisionSnapshot
        let diagnostics: [Diagnostic]
        do {
            snapshot = try await RevisionSnapshot.read(
                repository, commit: revision.commit, revisionID: revision.id, root: root,
                commitTime: try await commitTime.value, scriptsToRead: RevisionValidator.scriptLocations)
            diagnostics = RevisionValidator.validate(snapshot)
            if diagnostics.hasErrors { throw BundleError.invalidRevision(diagnostics) }
        } catch {
            ending.fulfil(nil)
            _ = try? await written  // stops at the ending and removes the partial bundle
            throw error
        }
        ending.fulfil(ArchiveEnding(snapshot, application: application, format: format, naming: options.built))
        async let status = worktreeChanges(options, snapshot: snapshot)
        let (manifest, sha256, scanned) = try await written
        var outcome = BundleOutcome(
            path: output, sha256: sha256, manifest: manifest, warnings: diagnostics,
            notInBundle: [], submodules: snapshot.submodules, signaturePath: nil, scanned: scanned)
        outcome.notInBundle = try await status
        outcome.signaturePath = try await sign(
            output, manifest: manifest, sha256: sha256, key: signingKey, options: options)
        return outcome
    }

    /// Signs the bundle at `path` as `options` ask (a `.sig`, or a statement with `validity`);
    /// returns the signature's (or statement's) path, nil without a key.
    func sign(
        _ path: String, manifest: BundleManifest, sha256: String, key: SSHSigningKey?, options: BundleOptions
    ) async throws -> String? {
        guard let key else { return nil }
        if let validity = options.validity {
            return try await signStatement(
                path, manifest: manifest, sha256: sha256, with: key, from: options.now, for: validity)
        }
        return try await sign(path, with: key)
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

    /// The commit to bundle and the revision id the bundle is named by.
    private func resolveRevision(_ options: BundleOptions) async throws -> (commit: String, id: String) {
        if let built = options.built {
            guard !options.worktree else {
                throw BundleError.invalidInput("a build output cannot be bundled from the working tree")
            }
            return (built.treeCommit, built.revisionID)
        } else if options.worktree {
            let snap = try await repository.snapshotWorktree()
            return (snap.commit, "\(snap.base)-dirty-\(snap.tree.prefix(12))")
        }
        do {
            let commit = try await repository.resolveCommit(options.revision)
            return (commit, commit)
        } catch {
            throw BundleError.invalidInput("\(options.revision) does not name a commit in \(repository.root)")
        }
    }

    /// `.tarmac/artifacts/<application>/<revision>.<ext>`; `.tarmac/` ignores itself so
    /// tarmac's state never shows up as untracked files.
    private func defaultOutput(_ revisionID: String, _ format: ArchiveFormat) throws -> String {
        let state = try Self.stateDirectory(of: repository.root)
        return "\(state)/artifacts/\(application)/\(revisionID).\(format.fileExtension)"
    }

    /// `<repository>/.tarmac`, made with the `.gitignore` that keeps it out of every commit.
    static func stateDirectory(of repository: String) throws -> String {
        let state = repository + "/.tarmac"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: state + "/.gitignore") {
            try Data("# tarmac's state: bundles, history, logs. Never committed.\n*\n".utf8)
                .write(to: URL(fileURLWithPath: state + "/.gitignore"))
        }
        return state
    }

    func loadSigningKey(_ path: String) throws -> SSHSigningKey {
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
