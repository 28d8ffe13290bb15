import TarmacCore

/// How much a bundle may unpack to. Enforced while reading, byte by byte as the data is
/// decompressed, never taken from a manifest or a header: a bundle over a limit is refused
/// the moment it crosses it, before anything is written.
public struct UnpackLimits: Sendable, Equatable {
    /// The files' bytes, unpacked (`tarmac apply --max-unpacked-size`).
    public var maxBytes: Int64
    /// Members of any kind.
    public var maxMembers: Int

    public static let defaultMaxBytes: Int64 = DeploymentGroup.defaultMaxUnpackedSize
    public static let `default` = UnpackLimits(maxBytes: defaultMaxBytes, maxMembers: 1_000_000)

    public init(maxBytes: Int64, maxMembers: Int = 1_000_000) {
        self.maxBytes = maxBytes
        self.maxMembers = maxMembers
    }

    /// The decompressed archive stream may hold this much beyond the files' own bytes:
    /// headers, padding and long names, per member, and a fixed slack.
    func streamLimit(members: Int) -> Int64 {
        maxBytes + (64 << 20) + Int64(members) * (16 << 10)
    }
}

/// Counts what a pass over an archive reads and stops it at the limits.
struct UnpackBudget {
    let limits: UnpackLimits
    let bundle: String
    private(set) var bytes: Int64 = 0
    private(set) var members = 0

    init(limits: UnpackLimits, bundle: String) {
        self.limits = limits
        self.bundle = bundle
    }

    mutating func addMember(streamPosition: Int64) throws {
        members += 1
        if members > limits.maxMembers {
            throw BundleError.untrustworthy(
                "\(bundle) holds more than \(limits.maxMembers) members; tarmac refuses it before unpacking anything",
                problems: [])
        }
        try checkStream(streamPosition)
    }

    mutating func addData(_ count: Int, streamPosition: Int64) throws {
        bytes += Int64(count)
        if bytes > limits.maxBytes {
            throw BundleError.untrustworthy(
                "\(bundle) unpacks to more than \(ByteSize.text(limits.maxBytes)) (the limit; read so far: "
                    + "\(ByteSize.text(bytes))); nothing was unpacked. Raise the limit with --max-unpacked-size "
                    + "if this bundle is meant to be this large",
                problems: [])
        }
        try checkStream(streamPosition)
    }

    private func checkStream(_ position: Int64) throws {
        let limit = limits.streamLimit(members: members)
        if position > limit {
            throw BundleError.untrustworthy(
                "\(bundle) decompresses to more than \(ByteSize.text(limit)) of archive data for "
                    + "\(members) members and \(ByteSize.text(bytes)) of files; tarmac stopped reading it",
                problems: [])
        }
    }
}
