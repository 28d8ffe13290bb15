import Crypto
import Foundation

/// An incremental message digest, so callers can hash a bundle while writing it.
public struct SSHSigHasher: Sendable {
    private enum State: Sendable {
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var state: State
    /// The hash this hasher computes.
    public let hash: SSHSigHash

    /// Starts an empty digest.
    public init(_ hash: SSHSigHash) {
        self.hash = hash
        switch hash {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    /// Feeds the next bytes of the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha256(hasher)
        case .sha512(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha512(hasher)
        }
    }

    /// Feeds the next bytes of the message.
    public mutating func update(_ bytes: some DataProtocol) {
        for region in bytes.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything fed so far.
    public func finalize() -> [UInt8] {
        switch state {
        case .sha256(let hasher): Array(hasher.finalize())
        case .sha512(let hasher): Array(hasher.finalize())
        }
    }

    /// Digest of a file read in 1 MiB blocks, so a multi-gigabyte bundle never sits in memory.
    public static func digest(ofFileAt path: String, using hash: SSHSigHash) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SigningError(
                .fileAccess,
                exists
                    ? "cannot open \(path) for reading: permission denied or not a regular file"
                    : "the file \(path) does not exist")
        }
        defer { try? handle.close() }  // read-only: closing cannot lose data
        var hasher = SSHSigHasher(hash)
        do {
            while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
                hasher.update(block)
            }
        } catch {
            throw SigningError(.fileAccess, "reading \(path) failed while hashing it: \(error.localizedDescription)")
        }
        return hasher.finalize()
    }
}
