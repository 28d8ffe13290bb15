import Crypto
import Foundation

/// SHA-256 of files, streamed in 1 MiB reads.
public enum FileDigest {
    public static func sha256Hex(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BundleError.invalidInput("cannot read \(path)")
        }
        defer { try? handle.close() }  // read-only: closing cannot lose data
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().hex
    }
}

/// Constants shared by signing and verification.
public enum BundleSignature {
    /// SSHSIG namespace of tarmac bundle signatures.
    public static let namespace = "tarmac"
}
