import CArchive
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process-wide set-up that libarchive needs, shared by the CLI and the tests.
public enum ArchiveLibrary {
    /// Switches the process to the C.UTF-8 locale, once; safe to call from any thread, any number of times.
    ///
    /// Swift programs start in the "C" locale, where libarchive 3.6.2 crashes on a pax
    /// entry with a non-ASCII name and writes ustar names as empty strings.
    /// Returns false when the locale is not available.
    @discardableResult
    public static func prepareProcess() -> Bool { utf8LocaleInstalled }

    /// libarchive's version with its compression libraries, e.g. "libarchive 3.6.2 zlib/1.2.13 …".
    public static var versionDetails: String { String(cString: archive_version_details()) }

    /// True when the current C locale encodes characters as UTF-8 (someone may have reset it).
    static var localeIsUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        return String(cString: codeset) == "UTF-8"
    }

    /// Runs `body` with TZ=UTC, then restores TZ, under one process-wide lock.
    ///
    /// The zip writer stores DOS times in *local* time (libarchive calls localtime_r
    /// in archive_write_header), so without this the bytes of a zip depend on the build
    /// box's time zone. Changing the environment is process-wide; the lock keeps two zip
    /// writers from restoring each other's value.
    static func withUTCTimeZone<T: Sendable>(_ body: () -> T) -> T {
        timeZoneLock.withLock { _ in
            let saved = getenv("TZ").map { String(cString: $0) }
            setenv("TZ", "UTC0", 1)
            tzset()  // localtime_r does not re-read TZ by itself
            defer {
                if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
                tzset()
            }
            return body()
        }
    }
}

/// Global initialisers run exactly once, thread-safely: that makes prepareProcess idempotent.
private let utf8LocaleInstalled: Bool = setlocale(LC_ALL, "C.UTF-8") != nil

private let timeZoneLock = Mutex<Void>(())
