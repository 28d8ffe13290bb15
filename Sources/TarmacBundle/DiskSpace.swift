import Foundation
import TarmacArchive
import TarmacCore

/// Free space where tarmac is about to write a bundle, and full disks named as such.
public enum DiskSpace {
    /// Bytes available to this process on the file system of `path` (or of its nearest
    /// existing ancestor); nil when it cannot be told.
    public static func freeBytes(at path: String) -> Int64? {
        var probe = path.isEmpty ? "." : path
        var info = statvfs()
        while statvfs(probe, &info) != 0 {
            guard errno == ENOENT, probe != "/" else { return nil }
            probe = (probe as NSString).deletingLastPathComponent
            if probe.isEmpty { probe = "." }
        }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Why `needed` bytes do not fit below `path`, or nil when they do (or free space is unknown).
    public static func problem(needed: Int64, free: Int64?, at path: String, for purpose: String) -> String? {
        guard let free, free < needed else { return nil }
        return "not enough free space in \(path) \(purpose): it needs \(ByteSize.text(needed)) "
            + "(\(needed) bytes), and only \(ByteSize.text(free)) (\(free) bytes) is free"
    }

    /// Throws an exit-2 error when `needed` bytes do not fit in `directory`.
    static func require(_ needed: Int64, in directory: String, for purpose: String) throws {
        if let problem = problem(needed: needed, free: freeBytes(at: directory), at: directory, for: purpose) {
            throw BundleError.invalidInput(problem + "; nothing was unpacked")
        }
    }

    /// True for a write that failed because the disk (or the quota) is full: ENOSPC, EDQUOT,
    /// or libarchive's short write ("Wrote only N of M bytes"), which leaves errno unset.
    public static func isFull(_ error: ArchiveError) -> Bool {
        error.errorNumber == ENOSPC || error.errorNumber == EDQUOT || error.message.contains("Wrote only")
            || error.message.contains("No space left on device")
    }

    /// `no space left on device while writing PATH (N bytes needed, F free now)`.
    public static func fullMessage(writing path: String, needed: Int64) -> String {
        let free = freeBytes(at: (path as NSString).deletingLastPathComponent).map { ", \(ByteSize.text($0)) free now" }
        return "no space left on device while writing \(path) (\(ByteSize.text(needed)) needed\(free ?? ""))"
    }
}
