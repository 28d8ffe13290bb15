import CArchive

/// The metadata of one archive entry, as stored in the archive.
public struct ArchiveEntryHeader: Sendable, Equatable {
    /// The path as stored (UTF-8), not normalised: it may be absolute, contain "..", or end in "/".
    public var path: String
    public var type: ArchiveEntryType
    /// `st_mode & 0o7777`.
    public var permissions: UInt32
    public var size: Int64
    /// Seconds since the epoch.
    public var mtime: Int64
    public var symlinkTarget: String?
    public var hardlinkTarget: String?
    public var uid: Int64
    public var gid: Int64
    /// False when the path or a link target is not valid UTF-8 as stored (the strings above
    /// then hold replacement characters, not the bytes a host would create).
    public var namesAreUTF8: Bool = true

    /// Creates a header from its parts.
    public init(
        path: String, type: ArchiveEntryType, permissions: UInt32, size: Int64 = 0, mtime: Int64 = 0,
        symlinkTarget: String? = nil, hardlinkTarget: String? = nil, uid: Int64 = 0, gid: Int64 = 0
    ) {
        self.path = path
        self.type = type
        self.permissions = permissions
        self.size = size
        self.mtime = mtime
        self.symlinkTarget = symlinkTarget
        self.hardlinkTarget = hardlinkTarget
        self.uid = uid
        self.gid = gid
    }
}

extension ArchiveEntryHeader {
    /// Copies what tarmac needs out of a libarchive entry, which is only valid until the next header.
    init(entry: OpaquePointer) {
        let valid =
            Self.isUTF8(archive_entry_pathname_utf8(entry), raw: archive_entry_pathname(entry))
            && Self.isUTF8(archive_entry_symlink_utf8(entry), raw: archive_entry_symlink(entry))
            && Self.isUTF8(archive_entry_hardlink_utf8(entry), raw: archive_entry_hardlink(entry))
        let hardlink = Self.text(archive_entry_hardlink_utf8(entry), orRaw: archive_entry_hardlink(entry))
        let symlink = Self.text(archive_entry_symlink_utf8(entry), orRaw: archive_entry_symlink(entry))
        let type = ArchiveEntryType(filetype: UInt32(archive_entry_filetype(entry)), isHardlink: hardlink != nil)
        self.init(
            path: Self.text(archive_entry_pathname_utf8(entry), orRaw: archive_entry_pathname(entry)) ?? "",
            type: type,
            permissions: UInt32(archive_entry_perm(entry)) & 0o7777,
            size: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0,
            mtime: Int64(archive_entry_mtime(entry)),
            symlinkTarget: type == .symlink ? symlink : nil,
            hardlinkTarget: hardlink,
            uid: archive_entry_uid(entry),
            gid: archive_entry_gid(entry))
        namesAreUTF8 = valid
    }

    /// True when the name is absent, or libarchive converted it to valid UTF-8.
    private static func isUTF8(_ utf8: UnsafePointer<CChar>?, raw: UnsafePointer<CChar>?) -> Bool {
        if let utf8 { return String(validatingCString: utf8) != nil }
        return raw == nil
    }

    /// The UTF-8 form when libarchive could convert it, else the raw bytes with invalid
    /// sequences replaced (a name that is not UTF-8 must not crash the reader; callers reject it).
    private static func text(_ utf8: UnsafePointer<CChar>?, orRaw raw: UnsafePointer<CChar>?) -> String? {
        if let utf8 { return String(cString: utf8) }
        if let raw { return String(cString: raw) }
        return nil
    }
}
