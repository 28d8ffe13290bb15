import Foundation

/// Reads a whole small text file (keys, signatures), mapping failures to an actionable error.
func readTextFile(at path: String, what: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        let exists = FileManager.default.fileExists(atPath: path)
        throw SigningError(
            .fileAccess,
            exists
                ? "cannot read the \(what) \(path): permission denied or not a regular file"
                : "the \(what) \(path) does not exist")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw SigningError(.fileAccess, "the \(what) \(path) is not text (not valid UTF-8)")
    }
    return text
}
