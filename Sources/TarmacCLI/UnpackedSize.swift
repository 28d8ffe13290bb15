import ArgumentParser
import TarmacCore

/// A `--max-unpacked-size` value: bytes, or a number with K, M, G or T (binary units).
struct UnpackedSize: ExpressibleByArgument, Sendable {
    var bytes: Int64

    init(bytes: Int64) {
        self.bytes = bytes
    }

    init?(argument: String) {
        guard let bytes = ByteSize.parse(argument) else { return nil }
        self.bytes = bytes
    }

    var defaultValueDescription: String { ByteSize.text(bytes) }
}
