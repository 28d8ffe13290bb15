import Crypto
import Foundation
import TarmacCore

/// The manifests of every bundle tarmac built or deployed from a repository, named by their
/// SHA-256 (`<repository>/.tarmac/manifests/<sha256>.json`), so a delta can be made for a
/// host that names its base revision only by that digest. A file is written to a temporary
/// name and renamed into place, and read back only when its bytes still hash to its name.
public struct ManifestCache: Sendable {
    public let directory: String
    private let repository: String

    /// The cache of the repository at `repository` (its root directory).
    public init(repository: String) {
        self.repository = repository
        directory = repository + "/.tarmac/manifests"
    }

    public func path(sha256: String) -> String { "\(directory)/\(sha256).json" }

    /// Stores `manifest` as the bytes a bundle carries; returns their SHA-256.
    @discardableResult
    public func store(_ manifest: BundleManifest) throws -> String {
        try store(bytes: Array(manifest.encodedJSON()))
    }

    /// Stores manifest bytes as they are; returns their SHA-256.
    @discardableResult
    public func store(bytes: [UInt8]) throws -> String {
        let sha256 = SHA256.hash(data: bytes).hex
        let target = path(sha256: sha256)
        if load(sha256: sha256) != nil { return sha256 }
        _ = try BundleBuilder.stateDirectory(of: repository)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = "\(directory)/.partial-\(UUID().uuidString)"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, target) == 0 else {
                throw BundleError.failed("cannot store the manifest as \(target): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return sha256
    }

    /// Keeps the manifest of an inspected bundle, when encoding it gives back the exact bytes
    /// the bundle carries (its `manifestSHA256`); never throws: a cache is an optimisation.
    @discardableResult
    public func keep(_ report: BundleReport) -> Bool {
        guard let manifest = report.manifest, let expected = report.manifestSHA256,
            let bytes = try? Array(manifest.encodedJSON()), SHA256.hash(data: bytes).hex == expected
        else { return false }
        return (try? store(bytes: bytes)) != nil
    }

    /// The manifest whose bytes hash to `sha256`, or nil when the cache has no such file (or
    /// the file no longer hashes to its name, or cannot be decoded).
    public func manifest(sha256: String) -> BundleManifest? {
        load(sha256: sha256).flatMap { try? BundleManifest.decode($0) }
    }

    /// The bytes stored under `sha256`, only when they hash to it.
    public func load(sha256: String) -> [UInt8]? {
        guard Self.isDigest(sha256), let data = FileManager.default.contents(atPath: path(sha256: sha256)) else {
            return nil
        }
        let bytes = Array(data)
        return SHA256.hash(data: bytes).hex == sha256 ? bytes : nil
    }

    /// 64 lower-case hex digits.
    public static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
