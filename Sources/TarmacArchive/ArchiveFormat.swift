/// The archive formats tarmac writes; the raw value is the file extension.
public enum ArchiveFormat: String, CaseIterable, Sendable {
    case tarGz = "tar.gz"
    case tarZst = "tar.zst"
    case tarXz = "tar.xz"
    case tar = "tar"
    case zip = "zip"

    /// The extension a bundle of this format carries, without a leading dot ("tar.gz").
    public var fileExtension: String { rawValue }

    /// The default compression level, or nil when the format does not compress.
    /// Written by `ChunkEncoder` on several threads rather than by a libarchive filter.
    public var isChunked: Bool { self == .tarZst || self == .tarGz }

    public var defaultCompressionLevel: Int? {
        switch self {
        case .tarGz: 6
        case .tarZst: 3
        case .tarXz: 6
        case .zip: 6
        case .tar: nil
        }
    }

    /// The levels accepted by `ArchiveWriter`, or nil when the format does not compress.
    public var compressionLevels: ClosedRange<Int>? {
        switch self {
        case .tarGz: 1...9
        case .tarZst: 1...22
        case .tarXz: 0...9
        case .zip: 0...9
        case .tar: nil
        }
    }

    /// Threads for the gzip, zstd and xz encoders. For xz any count >= 1 gives the same bytes,
    /// but 0 (single-threaded) gives different ones, so the count is fixed rather than taken
    /// from the machine: the same tree must give the same bundle on every build box. gzip and
    /// zstd are compressed in chunks of fixed size (`ChunkEncoder`), whose bytes do not depend on it.
    static let encoderThreads = 2

    /// libarchive option strings, in order, for this format at `level`.
    func writerOptions(level: Int?) -> [String] {
        switch self {
        case .tarGz, .tarZst:
            // Never libarchive's filters (`zstd:threads` is ignored by a libzstd built without
            // multithreading, the release's static one): `ChunkEncoder` writes these.
            preconditionFailure("\(rawValue) is written by ChunkEncoder, not a libarchive filter")
        case .tarXz:
            return ["xz:compression-level=\(level ?? 6)", "xz:threads=\(Self.encoderThreads)"]
        case .zip:
            // hdrcharset=UTF-8 sets the language-encoding flag, so unzip and Python
            // decode non-ASCII names as UTF-8 rather than as CP437.
            return [
                "zip:compression=deflate", "zip:compression-level=\(level ?? 6)",
                "zip:hdrcharset=UTF-8",
            ]
        case .tar:
            return []
        }
    }
}
