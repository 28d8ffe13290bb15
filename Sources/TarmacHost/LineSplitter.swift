/// Cuts a program's byte stream into lines, decoding each complete line once (a multi-byte
/// character split across reads is never decoded in halves). Both transports use it.
public struct LineSplitter {
    /// The longest line kept.
    public static let maximumLineLength = 1 << 20

    /// A line longer than `maximumLineLength`.
    public struct LineTooLong: Error {}

    private var pending: [UInt8] = []

    public init() {}

    /// Adds bytes, handing every line they complete (without its newline) to `emit`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (Substring) -> Void) throws {
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            if pending.isEmpty {
                emit(Self.decode(rest[rest.startIndex..<newline]))
            } else {
                pending.append(contentsOf: rest[rest.startIndex..<newline])
                emit(Self.decode(pending[...]))
                pending.removeAll(keepingCapacity: true)
            }
            rest = rest[(newline + 1)...]
        }
        pending.append(contentsOf: rest)
        if pending.count > Self.maximumLineLength { throw LineTooLong() }
    }

    /// Hands over a last line that had no newline.
    public mutating func finish(emit: (Substring) -> Void) {
        guard !pending.isEmpty else { return }
        emit(Self.decode(pending[...]))
        pending.removeAll()
    }

    private static func decode<C: Collection>(_ bytes: C) -> Substring where C.Element == UInt8 {
        Substring(String(decoding: bytes, as: UTF8.self))
    }
}

/// Keeps the first MiB of what a program prints on stderr, counting what it drops.
public struct StderrCollector {
    public static let limit = 1 << 20

    private var bytes: [UInt8] = []
    private var dropped = 0

    public init() {}

    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let room = max(0, Self.limit - bytes.count)
        bytes.append(contentsOf: chunk.prefix(room))
        dropped += chunk.count - min(room, chunk.count)
    }

    public var text: String {
        let kept = String(decoding: bytes, as: UTF8.self)
        return dropped == 0 ? kept : kept + "\n[\(dropped) more bytes of stderr not kept]\n"
    }
}
