/// Reads RFC 4253 wire values (uint32, length-prefixed strings) from a byte buffer.
///
/// Every failure names the field and the thing being read, so a truncated key or signature
/// yields a message like "the signature is truncated (reading namespace)".
struct SSHWireReader {
    private var bytes: ArraySlice<UInt8>
    /// The object being read, as a person would name it ("the signature", "the key k").
    private let subject: String
    private let code: SigningError.Code

    init(_ bytes: some Collection<UInt8>, subject: String, code: SigningError.Code) {
        self.bytes = ArraySlice(bytes)
        self.subject = subject
        self.code = code
    }

    /// True once every byte has been consumed.
    var isAtEnd: Bool { bytes.isEmpty }

    /// The bytes not yet read.
    var remaining: ArraySlice<UInt8> { bytes }

    mutating func readBytes(_ count: Int, field: String) throws -> [UInt8] {
        guard count >= 0, bytes.count >= count else { throw truncated(field) }
        let value = Array(bytes.prefix(count))
        bytes = bytes.dropFirst(count)
        return value
    }

    mutating func readUInt32(field: String) throws -> UInt32 {
        let raw = try readBytes(4, field: field)
        return raw.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    mutating func readString(field: String) throws -> [UInt8] {
        let length = try readUInt32(field: field)
        guard length <= UInt32(bytes.count) else { throw truncated(field) }
        return try readBytes(Int(length), field: field)
    }

    mutating func readText(field: String) throws -> String {
        let raw = try readString(field: field)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw SigningError(code, "\(subject) is corrupt: the \(field) is not valid UTF-8")
        }
        return text
    }

    /// Fails unless the buffer starts with exactly these bytes.
    mutating func expect(_ magic: [UInt8], field: String) throws {
        guard bytes.starts(with: magic) else {
            throw SigningError(code, "\(subject) is corrupt: the \(field) is missing")
        }
        bytes = bytes.dropFirst(magic.count)
    }

    private func truncated(_ field: String) -> SigningError {
        SigningError(code, "\(subject) is truncated or corrupt (reading the \(field))")
    }
}
