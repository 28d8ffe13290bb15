import CArchive

/// A failure reported by libarchive or by the wrapper's own checks, naming the archive and the step.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// The archive: its path, or "file descriptor N".
    public var archive: String
    /// What was being done, e.g. "read the next entry header" or "write the header of 'a/b'".
    public var operation: String
    /// libarchive's message, or the wrapper's own explanation.
    public var message: String
    /// The errno libarchive recorded (libarchive also uses EILSEQ for "bad format", -1 for
    /// "other"), or 0 when the wrapper itself refused.
    public var errorNumber: Int32

    /// Creates an error from its parts.
    public init(archive: String, operation: String, message: String, errorNumber: Int32 = 0) {
        self.archive = archive
        self.operation = operation
        self.message = message
        self.errorNumber = errorNumber
    }

    /// `ARCHIVE: cannot OPERATION: MESSAGE`.
    public var description: String { "\(archive): cannot \(operation): \(message)" }
}

extension ArchiveError {
    /// The error libarchive last recorded on `handle`.
    init(handle: OpaquePointer, archive: String, operation: String) {
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
        self.init(archive: archive, operation: operation, message: message, errorNumber: archive_errno(handle))
    }
}
