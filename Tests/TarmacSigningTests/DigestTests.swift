import Foundation
import TarmacSigning
import Testing

/// Streaming digests agree with one-shot digests and with coreutils.
@Suite struct DigestTests {
    /// 5 MiB plus a ragged tail, so the 1 MiB blocks do not line up with the end.
    private func makeBigFile(_ scratch: Scratch) throws -> (path: String, bytes: Data) {
        let path = scratch.file("big.bin")
        let size = (5 << 20) + 12_345
        let bytes = try #require(try FileHandle(forReadingAtPath: "/dev/urandom")?.read(upToCount: size))
        try #require(bytes.count == size)
        try bytes.write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    @Test(arguments: SSHSigHash.allCases)
    func streamingDigestEqualsOneShot(hash: SSHSigHash) throws {
        let scratch = try Scratch()
        let (path, bytes) = try makeBigFile(scratch)
        let streamed = try SSHSignature.digest(ofFileAt: path, using: hash)
        #expect(streamed == hash.digest(bytes))
        #expect(streamed.count == hash.digestByteCount)

        var hasher = SSHSigHasher(hash)
        var offset = 0
        for size in [1, 7, 4096, 1 << 20, 3_000_000] where offset < bytes.count {
            let end = min(offset + size, bytes.count)
            hasher.update(bytes[offset..<end])
            offset = end
        }
        hasher.update(bytes[offset...])
        #expect(hasher.finalize() == streamed)
        #expect(hex(streamed) == (try coreutilsDigest(hash, path: path)))
    }

    @Test func missingFileIsAFileAccessError() throws {
        let error = try #require(throws: SigningError.self) {
            try SSHSignature.digest(ofFileAt: "/nonexistent/b.tgz", using: .sha512)
        }
        #expect(error.code == .fileAccess)
        #expect(error.message == "the file /nonexistent/b.tgz does not exist")
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private func coreutilsDigest(_ hash: SSHSigHash, path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["\(hash.rawValue)sum", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix { $0 != " " })
    }
}
