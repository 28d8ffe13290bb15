/// What `stat` (and `ls` for the ACL mark) said of an existing file or directory on the host,
/// in the probe: enough to tell whether an install may leave it as it is (`InstallPlannerKeep`).
///
/// `line` is the host's own text, `%d:%i:%h:%u:%g:%f:%s:%.9Z` (device, inode, links, owner,
/// group, raw mode in hex, size, change time in seconds to the nanosecond, whatever the time
/// zone): Install compares it again, byte for byte, before it relies on a kept path, so a path
/// changed since the probe (any write, chmod, chown, setfacl, link or rename changes the change
/// time) is never kept; the next deployment compares it with `InstallStatRecord`.
public struct PathStat: Sendable, Equatable {
    /// The `stat -c` format both the probe and Install use.
    public static let format = "%d:%i:%h:%u:%g:%f:%s:%.9Z"

    public var line: String
    public var links: Int
    public var uid: UInt32
    public var gid: UInt32
    /// File type and permission bits (`st_mode`).
    public var rawMode: UInt32
    public var size: Int64
    /// `ls -l` showed `+`: an ACL beyond the mode bits.
    public var hasACL: Bool

    public init?(line: String, hasACL: Bool) {
        let fields = line.split(separator: ":", maxSplits: 7, omittingEmptySubsequences: false)
        guard fields.count == 8, let links = Int(fields[2]), let uid = UInt32(fields[3]),
            let gid = UInt32(fields[4]), let rawMode = UInt32(fields[5], radix: 16), let size = Int64(fields[6])
        else { return nil }
        self.line = line
        self.links = links
        self.uid = uid
        self.gid = gid
        self.rawMode = rawMode
        self.size = size
        self.hasACL = hasACL
    }

    /// What the line says is there (the file type bits of `%f`).
    public var kind: HostFacts.PathKind {
        switch rawMode & 0o170000 {
        case 0o100000: .file
        case 0o040000: .directory
        case 0o120000: .symlink
        default: .other
        }
    }

    public var isRegularFile: Bool { rawMode & 0o170000 == 0o100000 }
    public var isDirectory: Bool { rawMode & 0o170000 == 0o040000 }
    /// Permission bits with setuid, setgid and sticky.
    public var mode: UInt32 { rawMode & 0o7777 }
}
