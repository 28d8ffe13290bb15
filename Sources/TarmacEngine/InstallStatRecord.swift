/// What Install saw of the files it wrote or kept, right after it was done with them: the
/// `stat` of each (`PathStat.format`: device, inode, links, owner, group, mode, size and change
/// time to the nanosecond) with the SHA-256 of the content it gave it. The next deployment
/// takes a file whose fresh `stat` equals a line of the record to hold that content, instead
/// of hashing it (`knownDigests`); any other file is hashed as before.
///
/// The record names no paths: a line speaks of an inode, and its change time ties the line to
/// the inode's content. No user can set a change time (`touch -d` sets the modification
/// time, and itself changes the change time), and every write, chmod, chown, link or rename
/// moves it on, so an equal line is the same inode, untouched since Install's `stat`. What a
/// user who can write a file could do between Install's last change and its `stat` (within
/// one clock tick) is ruled out by trusting only lines of files that no one but the user
/// Install runs as can write: owned by it, no group or other write bit, one link (and, as
/// the planner demands of a kept file anyway, no ACL). A hook that rewrites a file in place
/// after Install moves its change time on: it is hashed. The last line, `fence`, is the
/// record's own change time once every `stat` was taken; a line whose change time is not
/// before it is not trusted (a file changed in the same clock tick as the `stat`, on a file
/// system with coarse timestamps, could still show it).
///
///     tarmac-install-stat 1
///     <sha256> <dev>:<ino>:<links>:<uid>:<gid>:<raw mode>:<size>:<ctime>
///     fence <ctime>
///
/// It is kept in `HostLayout.installStatFile`, root's (the deployment user's), written
/// through `mktemp` and a rename like every record, checked by `RootCheck`'s rules before the
/// probe reads it back (`@fact install-stat <line>`, one per line).
public struct InstallStatRecord: Sendable, Equatable {
    public static let header = "tarmac-install-stat 1"

    /// SHA-256 by `PathStat.line`.
    public var digests: [String: String]
    /// The record's change time (`%.9Z`) when its last `stat` was done.
    public var fence: String

    public init(digests: [String: String], fence: String) {
        self.digests = digests
        self.fence = fence
    }

    /// Reads the record's lines; nil when it is not one tarmac wrote whole.
    public static func parse(_ lines: [String]) -> InstallStatRecord? {
        guard lines.first == header, let last = lines.last, last.hasPrefix("fence "), lines.count >= 2 else {
            return nil
        }
        let fence = String(last.dropFirst("fence ".count))
        guard changeTime(fence) != nil else { return nil }
        var digests: [String: String] = [:]
        digests.reserveCapacity(lines.count - 2)
        for line in lines[1..<(lines.count - 1)] {
            // Bytes, not characters: the record has a line per installed file.
            guard let space = line.utf8.firstIndex(of: UInt8(ascii: " ")) else { return nil }
            let digest = String(line[..<space])
            guard isDigest(digest) else { return nil }
            digests[String(line[line.utf8.index(after: space)...])] = lowercaseHex(digest)
        }
        return InstallStatRecord(digests: digests, fence: fence)
    }

    /// The SHA-256 of the files among `paths` whose `stat` in the probe (`facts.stats`) the
    /// record vouches for: a line equal to the probe's, of a regular file with one link,
    /// owned by the user and group the programs run as, not writable by group or others, and
    /// changed last before the record's fence.
    public static func knownDigests(_ paths: [String], facts: HostFacts) -> [String: String] {
        guard let record = facts.installStat, let fence = changeTime(record.fence), let uid = facts.runnerUID,
            let gid = facts.runnerGID
        else { return [:] }
        var known: [String: String] = [:]
        for path in paths {
            guard let stat = facts.stats[path], let digest = record.digests[stat.line], stat.isRegularFile,
                stat.links == 1, stat.uid == uid, stat.gid == gid, stat.mode & 0o022 == 0,
                let changed = changeTime(lastField(stat.line)),
                changed < fence
            else { continue }
            known[path] = digest
        }
        return known
    }

    /// `%.9Z` (`1767225600.123456789`) as seconds and nanoseconds, to compare. Read by bytes:
    /// a probe has a line per installed file.
    static func changeTime(_ text: String) -> ChangeTime? {
        let bytes = text.utf8
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let fraction = bytes[bytes.index(after: dot)...]
        guard fraction.count == 9, fraction.allSatisfy({ (0x30...0x39).contains($0) }),
            let seconds = Int64(String(text[..<dot])),
            let nanoseconds = Int(String(text[bytes.index(after: dot)...]))
        else { return nil }
        return ChangeTime(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// What follows the last `:` of a `stat` line (its change time); the line when it has none.
    static func lastField(_ line: String) -> String {
        guard let colon = line.utf8.lastIndex(of: UInt8(ascii: ":")) else { return line }
        return String(line[line.utf8.index(after: colon)...])
    }

    struct ChangeTime: Comparable {
        var seconds: Int64
        var nanoseconds: Int

        static func < (a: ChangeTime, b: ChangeTime) -> Bool {
            (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
        }
    }
}

extension HostLayout {
    /// What the group's last Install saw of the files it wrote (`InstallStatRecord`).
    public var installStatFile: String { "\(instructions)/\(groupID)_install_stat" }
}
