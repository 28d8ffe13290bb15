import CArchive

/// Builds the configured libarchive write handle for an `ArchiveWriter`.
enum ArchiveWriterSetup {
    /// A write handle with format, filter, options and padding set; freed again when any step fails.
    static func makeHandle(format: ArchiveFormat, level: Int?, name: String, rawStream: Bool = false) throws
        -> OpaquePointer
    {
        try checkLevel(level, for: format, name: name)
        guard let handle = archive_write_new() else {
            throw ArchiveError(archive: name, operation: "create a writer", message: "out of memory")
        }
        func step(_ operation: String, _ call: (OpaquePointer) -> Int32) throws {
            guard call(handle) == ARCHIVE_OK else {
                throw ArchiveError(handle: handle, archive: name, operation: operation)
            }
        }
        do {
            try step("select the format") {
                if rawStream { return archive_write_set_format_raw($0) }
                return format == .zip ? archive_write_set_format_zip($0) : archive_write_set_format_pax_restricted($0)
            }
            try step("select the compression") { addFilter(for: format, to: $0) }
            // Options only after format and filter: libarchive refuses options for modules not yet added.
            for option in format.writerOptions(level: level) {
                try step("set option \(option)") { archive_write_set_options($0, option) }
            }
            // The zero-padding trap: zeros after the compressed stream make a .zst unreadable.
            try step("disable padding of the last block") { archive_write_set_bytes_in_last_block($0, 1) }
        } catch {
            archive_write_free(handle)
            throw error
        }
        return handle
    }

    /// libarchive reports an out-of-range level as an "undefined option"; say what is wrong instead.
    static func checkLevel(_ level: Int?, for format: ArchiveFormat, name: String) throws {
        guard let level else { return }
        let operation = "configure \(format.rawValue) compression"
        guard let range = format.compressionLevels else {
            throw ArchiveError(
                archive: name, operation: operation, message: "\(format.rawValue) does not compress; pass no level")
        }
        guard range.contains(level) else {
            throw ArchiveError(
                archive: name, operation: operation,
                message: "compression level \(level) is outside \(range.lowerBound)...\(range.upperBound)")
        }
    }

    private static func addFilter(for format: ArchiveFormat, to handle: OpaquePointer) -> Int32 {
        switch format {
        case .tarGz, .tarZst:
            preconditionFailure("\(format.rawValue) is written by ChunkEncoder, not a libarchive filter")
        case .tarXz: archive_write_add_filter_xz(handle)
        case .tar, .zip: archive_write_add_filter_none(handle)
        }
    }
}
