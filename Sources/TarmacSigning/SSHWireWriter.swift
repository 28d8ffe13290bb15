/// Builds RFC 4253 wire values into a byte buffer.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    mutating func append(uint32 value: UInt32) {
        bytes.append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) })
    }

    mutating func append(string value: some Collection<UInt8>) {
        append(uint32: UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func append(text value: String) {
        append(string: Array(value.utf8))
    }
}
