import CArchive

/// What kind of file system object an archive entry describes.
public enum ArchiveEntryType: Sendable, Equatable {
    case file, directory, symlink, hardlink
    /// A block or character device, fifo, socket or unknown kind, by name.
    case other(String)
}

/// `AE_IF*` from archive_entry.h: the C macros are casts, which Swift does not import.
enum FileTypeBits {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symlink: UInt32 = 0o120000
    static let characterDevice: UInt32 = 0o020000
    static let blockDevice: UInt32 = 0o060000
    static let fifo: UInt32 = 0o010000
    static let socket: UInt32 = 0o140000
}

extension ArchiveEntryType {
    /// The type of a libarchive entry; a hard link wins over the file type it carries.
    init(filetype: UInt32, isHardlink: Bool) {
        if isHardlink {
            self = .hardlink
            return
        }
        switch filetype & FileTypeBits.mask {
        case FileTypeBits.regular: self = .file
        case FileTypeBits.directory: self = .directory
        case FileTypeBits.symlink: self = .symlink
        case FileTypeBits.characterDevice: self = .other("character device")
        case FileTypeBits.blockDevice: self = .other("block device")
        case FileTypeBits.fifo: self = .other("fifo")
        case FileTypeBits.socket: self = .other("socket")
        case let bits: self = .other("unknown type 0o" + String(bits, radix: 8))
        }
    }
}
